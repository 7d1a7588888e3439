//! `dind lint --fix` on the seed article's pods (every fix, unsafe ones included), next to
//! linting the same files: what verified, span-exact fixing costs over reading. Each fix is one
//! edit plus a re-read, a re-lint and a comparison of the pod, so the cost grows with the number
//! of fixes, not with the size of the file alone.

use criterion::{Criterion, criterion_main};
use dind::lint::{fix_file, lint_file};
use dind::rules::Context;

fn seed() -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/seed");
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .expect("the seed fixtures")
        .map(|e| {
            let path = e.expect("an entry").path();
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (name, std::fs::read_to_string(&path).expect("readable"))
        })
        .collect();
    files.sort();
    files
}

fn bench(c: &mut Criterion) {
    let files = seed();
    let ctx = Context::default();
    let fixes: usize = files
        .iter()
        .map(|(name, text)| fix_file(name, text, &ctx, true).expect("fixes").applied.len())
        .sum();
    c.bench_function(&format!("lint the seed's {} files", files.len()), |b| {
        b.iter(|| {
            for (name, text) in &files {
                std::hint::black_box(lint_file(name, text, &ctx).expect("lints"));
            }
        })
    });
    c.bench_function(
        &format!("fix --unsafe-fixes the seed's {} files ({fixes} fixes)", files.len()),
        |b| {
            b.iter(|| {
                for (name, text) in &files {
                    std::hint::black_box(fix_file(name, text, &ctx, true).expect("fixes"));
                }
            })
        },
    );
}

mod group {
    #![allow(missing_docs)]
    use super::bench;
    use criterion::criterion_group;
    criterion_group!(benches, bench);
}
use group::benches;
criterion_main!(benches);
