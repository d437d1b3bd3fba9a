//! The teacher's report as a PNG chart: the class's accuracy week by week
//! (a line, one point per week with answers) above its hardest questions
//! (bars of the share right, hardest first). Drawn with plotters into a
//! pixel buffer and encoded by `png`; the text is DejaVu Sans from the
//! `dejavu` crate, compiled into the binary, so no system font is looked
//! up and the picture is the same on every machine.
//!
//! It only draws a [`Report`]: the figures are the store's, and sending or
//! writing the picture is the caller's (the CLI's `--output`, a chat
//! attachment).

use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

use crate::store::Report;

/// The picture's size in pixels.
pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 900;

/// Questions the lower half shows, hardest first.
pub const HARDEST_SHOWN: usize = 8;

/// A question's label is cut to this many characters.
const LABEL_CHARS: usize = 56;

/// The file name a chart is sent and shown under.
pub const FILE_NAME: &str = "report.png";

/// Why a chart could not be made (a drawing or encoding fault: the data
/// cannot cause one).
#[derive(Debug, thiserror::Error)]
#[error("could not draw the report chart: {0}")]
pub struct ChartError(String);

fn fault(error: impl std::fmt::Display) -> ChartError {
    ChartError(error.to_string())
}

/// The bundled font, registered with plotters once per process.
fn register_fonts() -> Result<(), ChartError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular()).is_ok()
            && register_font("sans-serif", FontStyle::Bold, dejavu::sans::bold()).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(ChartError(
            "the bundled DejaVu Sans font did not load".into(),
        ))
    }
}

const INK: RGBColor = RGBColor(0x22, 0x2a, 0x35);
const LINE: RGBColor = RGBColor(0x3b, 0x6e, 0xa5);
const BAR: RGBColor = RGBColor(0xc8, 0x4b, 0x31);
const GRID: RGBColor = RGBColor(0xdd, 0xe1, 0xe6);

/// `text` cut to `limit` characters, with "…" where it was cut.
fn cut(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let mut short: String = text.chars().take(limit - 1).collect();
    short.push('…');
    short
}

/// "25 Nov": the last day of a week.
fn day(at: DateTime<Utc>) -> String {
    at.format("%-d %b").to_string()
}

/// The report's chart as PNG bytes, [`WIDTH`] × [`HEIGHT`].
pub fn render_png(report: &Report) -> Result<Vec<u8>, ChartError> {
    let pixels = render_pixels(report)?;
    let mut png = Vec::new();
    let mut encoder = png::Encoder::new(&mut png, WIDTH, HEIGHT);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(fault)?;
    writer.write_image_data(&pixels).map_err(fault)?;
    writer.finish().map_err(fault)?;
    Ok(png)
}

/// The chart as RGB pixels, row by row.
fn render_pixels(report: &Report) -> Result<Vec<u8>, ChartError> {
    register_fonts()?;
    let mut pixels = vec![0u8; WIDTH as usize * HEIGHT as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(fault)?;
        let title = format!(
            "Class report · {} · {}",
            report.scope,
            report.generated_at.format("%Y-%m-%d")
        );
        let root = root
            .titled(&title, ("sans-serif", 28).into_font().color(&INK))
            .map_err(fault)?;
        let (upper, lower) = root.split_vertically(HEIGHT * 2 / 5);
        accuracy_by_week(&upper, report)?;
        hardest_questions(&lower, report)?;
        root.present().map_err(fault)?;
    }
    Ok(pixels)
}

type Area<'a> = DrawingArea<BitMapBackend<'a>, plotters::coord::Shift>;

/// A note in the middle of an empty panel.
fn empty_note(area: &Area<'_>, caption: &str, note: &str) -> Result<(), ChartError> {
    let (width, height) = area.dim_in_pixel();
    let style = ("sans-serif", 22).into_font().color(&INK);
    area.draw(&Text::new(caption.to_string(), (40, 10), style))
        .map_err(fault)?;
    let note_style = ("sans-serif", 20).into_font().color(&INK.mix(0.6));
    area.draw(&Text::new(
        note.to_string(),
        (
            i32::try_from(width / 2).unwrap_or(0) - 160,
            i32::try_from(height / 2).unwrap_or(0),
        ),
        note_style,
    ))
    .map_err(fault)?;
    Ok(())
}

/// The upper panel: the share right per week, as a line with points.
fn accuracy_by_week(area: &Area<'_>, report: &Report) -> Result<(), ChartError> {
    let caption = "Class accuracy by week (% right)";
    if report.weekly.iter().all(|week| week.accuracy.is_none()) {
        return empty_note(area, caption, "No answers in these weeks yet.");
    }
    let weeks = &report.weekly;
    let last = weeks.len() as f64 - 0.5;
    let mut chart = ChartBuilder::on(area)
        .caption(caption, ("sans-serif", 22).into_font().color(&INK))
        .margin(20)
        .x_label_area_size(36)
        .y_label_area_size(56)
        .build_cartesian_2d(-0.5f64..last, 0f64..100f64)
        .map_err(fault)?;
    let label = |x: &f64| -> String {
        let index = x.round();
        if (x - index).abs() > 0.01 || index < 0.0 {
            return String::new();
        }
        weeks
            .get(index as usize)
            .map(|week| day(week.to))
            .unwrap_or_default()
    };
    chart
        .configure_mesh()
        .x_labels(weeks.len() * 2 + 1)
        .x_label_formatter(&label)
        .y_labels(6)
        .y_label_formatter(&|y| format!("{y:.0}"))
        .x_desc("week ending")
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .axis_desc_style(("sans-serif", 16).into_font().color(&INK))
        .label_style(("sans-serif", 15).into_font().color(&INK))
        .draw()
        .map_err(fault)?;
    let points: Vec<(f64, f64)> = weeks
        .iter()
        .enumerate()
        .filter_map(|(i, week)| week.accuracy.map(|a| (i as f64, a * 100.0)))
        .collect();
    chart
        .draw_series(LineSeries::new(points.clone(), LINE.stroke_width(3)))
        .map_err(fault)?;
    chart
        .draw_series(
            points
                .iter()
                .map(|&point| Circle::new(point, 6, LINE.filled())),
        )
        .map_err(fault)?;
    chart
        .draw_series(points.iter().map(|&(x, y)| {
            Text::new(
                format!("{y:.0}%"),
                (x - 0.12, (y + 9.0).min(97.0)),
                ("sans-serif", 15).into_font().color(&INK),
            )
        }))
        .map_err(fault)?;
    Ok(())
}

/// The lower panel: the hardest questions, a bar each of the share right.
fn hardest_questions(area: &Area<'_>, report: &Report) -> Result<(), ChartError> {
    let caption = "Hardest questions (% right, answers)";
    let shown: Vec<_> = report.questions.iter().take(HARDEST_SHOWN).collect();
    if shown.is_empty() {
        return empty_note(area, caption, "No question has been answered yet.");
    }
    let rows = shown.len() as f64;
    let mut chart = ChartBuilder::on(area)
        .caption(caption, ("sans-serif", 22).into_font().color(&INK))
        .margin(20)
        .x_label_area_size(30)
        .y_label_area_size(0)
        .build_cartesian_2d(0f64..100f64, rows..0f64)
        .map_err(fault)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(6)
        .x_label_formatter(&|x| format!("{x:.0}%"))
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .label_style(("sans-serif", 15).into_font().color(&INK))
        .draw()
        .map_err(fault)?;
    // Each row: the bar in its lower part, the question above it.
    chart
        .draw_series(shown.iter().enumerate().map(|(i, question)| {
            let top = i as f64 + 0.45;
            let bottom = i as f64 + 0.9;
            let right = (question.share_right * 100.0).max(0.6);
            Rectangle::new([(0.0, top), (right, bottom)], BAR.mix(0.85).filled())
        }))
        .map_err(fault)?;
    chart
        .draw_series(shown.iter().enumerate().map(|(i, question)| {
            let label = format!(
                "{}. {}  ({:.0}% of {})",
                i + 1,
                cut(&question.prompt, LABEL_CHARS),
                question.share_right * 100.0,
                question.answers
            );
            Text::new(
                label,
                (0.5, i as f64 + 0.08),
                ("sans-serif", 16).into_font().color(&INK),
            )
        }))
        .map_err(fault)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{QuestionReport, WeekPoint, WeekReport};
    use chrono::{Duration, TimeZone};

    fn report(weeks: &[Option<f64>], questions: usize) -> Report {
        let now = Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap();
        let week = |name| WeekReport {
            week: name,
            from: now,
            to: now,
            answers: 0,
            correct: 0,
            accuracy: None,
        };
        Report {
            scope: "console:terminal".into(),
            generated_at: now,
            since: None,
            students: Vec::new(),
            questions: (0..questions)
                .map(|n| QuestionReport {
                    item_id: format!("item-{n}"),
                    prompt: format!(
                        "Which treaty ended the war in question {n}, and in which year?"
                    ),
                    answer: "x".into(),
                    asked: 1,
                    answers: 4,
                    correct: n as i64 % 4,
                    share_right: (n % 4) as f64 / 4.0,
                    top_wrong_answer: None,
                    top_wrong_count: 0,
                    source_sentence: None,
                })
                .collect(),
            sentences: Vec::new(),
            weeks: [week("this week"), week("last week")],
            weekly: weeks
                .iter()
                .enumerate()
                .map(|(i, accuracy)| {
                    let to = now - Duration::days(7 * (weeks.len() - 1 - i) as i64);
                    WeekPoint {
                        from: to - Duration::days(7),
                        to,
                        answers: i64::from(accuracy.is_some()) * 10,
                        correct: accuracy.map_or(0, |a| (a * 10.0) as i64),
                        accuracy: *accuracy,
                    }
                })
                .collect(),
        }
    }

    /// Decodes a PNG: (width, height, RGB pixels).
    fn decode(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut pixels).unwrap();
        assert_eq!(info.color_type, png::ColorType::Rgb);
        pixels.truncate(info.buffer_size());
        (info.width, info.height, pixels)
    }

    #[test]
    fn the_chart_is_a_png_of_the_expected_size_with_lines_bars_and_text() {
        let bytes = render_png(&report(&[Some(0.4), None, Some(0.55), Some(0.7)], 10)).unwrap();
        let (width, height, pixels) = decode(&bytes);
        assert_eq!((width, height), (WIDTH, HEIGHT));
        let colour = |rgb: RGBColor| {
            pixels
                .chunks(3)
                .filter(|p| p == &[rgb.0, rgb.1, rgb.2])
                .count()
        };
        assert!(colour(LINE) > 500, "the accuracy line is drawn");
        let dark = pixels
            .chunks(3)
            .filter(|p| p.iter().all(|c| *c < 0x60))
            .count();
        assert!(dark > 2_000, "text is drawn: {dark} dark pixels");
        let reddish = pixels
            .chunks(3)
            .filter(|p| p[0] > 0xb0 && p[1] < 0x90 && p[2] < 0x80)
            .count();
        assert!(reddish > 20_000, "the bars are drawn: {reddish}");
    }

    #[test]
    fn an_empty_report_still_draws_a_chart_that_says_so() {
        let bytes = render_png(&report(&[], 0)).unwrap();
        let (width, height, pixels) = decode(&bytes);
        assert_eq!((width, height), (WIDTH, HEIGHT));
        let first = &pixels[..3];
        assert!(
            pixels.chunks(3).any(|p| p != first),
            "not all one colour: the title and the notes are drawn"
        );
        let full = render_png(&report(&[Some(0.5)], 3)).unwrap();
        assert_ne!(bytes, full, "the figures change the picture");
    }

    #[test]
    fn long_prompts_are_cut_with_an_ellipsis() {
        assert_eq!(cut("short", 10), "short");
        assert_eq!(cut("abcdefghijk", 5), "abcd…");
    }
}
