//! A loop for profilers (`perf record`): encodes a question N times.
//! Usage: cargo run --release -p lectern-encoder --example profile -- [N] [text]

use std::time::Instant;

use lectern_encoder::Encoder;

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(200);
    let text = args.next().unwrap_or_else(|| {
        "What were the main causes of the bread shortage in Petrograd in 1917?".to_owned()
    });
    let start = Instant::now();
    let encoder = Encoder::global();
    let load = start.elapsed();
    let start = Instant::now();
    let mut sum = 0.0;
    for _ in 0..n {
        sum += encoder.encode(&text)[0];
    }
    let each = start.elapsed() / n as u32;
    println!(
        "load {:.1} ms, encode {:.3} ms per call ({} tokens) [{sum}]",
        load.as_secs_f64() * 1e3,
        each.as_secs_f64() * 1e3,
        encoder.tokenize(&text).len()
    );
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        for line in status
            .lines()
            .filter(|l| l.starts_with("VmRSS") || l.starts_with("VmHWM"))
        {
            println!("{line}");
        }
    }
}
