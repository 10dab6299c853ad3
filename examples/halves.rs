use nmf_topics::corpus::{read_matrix_market, MatrixMarketOptions};
use nmf_topics::matrix::DocFreq;
use nmf_topics::nmf::{Data, Init, Loss, Nmf, Solver, Start};
use nmf_topics::{CountMatrix, Pruning};
use std::path::Path;
use std::time::Instant;
fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let k: usize = a[1].parse().unwrap();
    let threads: usize = a[2].parse().unwrap();
    let solver: Solver = a[3].parse().unwrap();
    let init = if a[4] == "random" {
        Init::Random
    } else {
        Init::Nndsvda
    };
    let target: f64 = a[5].parse().unwrap();
    let bag = read_matrix_market(Path::new(&a[0]), &MatrixMarketOptions::default()).unwrap();
    let pruning = Pruning {
        min_df: "1".parse::<DocFreq>().unwrap(),
        ..Pruning::default()
    };
    let m = CountMatrix::build(&bag, &pruning).unwrap();
    let nmf = Nmf::new(k)
        .solver(solver)
        .loss(Loss::Kl)
        .init(init)
        .threads(threads);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let v = Data::new(m.by_doc(), m.by_word()).unwrap();
    pool.install(|| {
        let t0 = Instant::now();
        let mut s = nmf.joint_solver(v, Start::Seed(0)).unwrap();
        let start = t0.elapsed().as_secs_f64();
        let (mut th, mut tw) = (0.0, 0.0);
        for i in 1..=400 {
            let t = Instant::now(); s.update_h(false); th += t.elapsed().as_secs_f64();
            let t = Instant::now(); s.update_w(); tw += t.elapsed().as_secs_f64();
            let d = s.loss();
            if d <= target || i == 400 {
                println!("{solver} {} K={k}: start {start:.2} s, {i} its, H {th:.2} s, W {tw:.2} s, total {:.2} s, loss {d}", a[4], start + th + tw);
                break;
            }
        }
    });
}
