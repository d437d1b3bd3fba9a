use lectern_study::study::lexicon::Lexicon;
fn main() {
    let lex = Lexicon::global();
    let refs_s = std::env::var("REFS").unwrap();
    let refs: Vec<&str> = refs_s.split(",").collect();
    let words: Vec<String> = std::env::args().skip(1).collect();
    for w in words {
        let mut sims: Vec<f32> = refs
            .iter()
            .filter(|r| **r != w)
            .filter_map(|r| lex.similarity(&w, r))
            .collect();
        sims.sort_by(|a, b| b.total_cmp(a));
        let top: f32 = sims.iter().take(5).sum::<f32>() / 5.0;
        let near: Vec<&str> = lex.nearest(&w, 5).into_iter().map(|x| x.0).collect();
        println!("{w:14} {top:.2} zipf {:?} {:?}", lex.zipf(&w), near);
    }
}
