//! Build (input checks, lowering, every rule) plus render of a typical pod, next to a bare
//! `serde_yaml::to_string` of the same Pod. Target: at most 3x the bare serialization.

use criterion::{Criterion, criterion_main};
use dind::{Client, DindPod, Transport};

fn typical() -> DindPod {
    DindPod::new()
        .transport(Transport::tls())
        .mtu(1440)
        .registry_mirror("https://mirror.gcr.io")
        .client(Client::new("docker").env("BUILDKIT_PROGRESS", "plain"))
}

fn bench(c: &mut Criterion) {
    let pod = typical();
    let built = pod.build().expect("typical pod builds");
    c.bench_function("build + render yaml (dind)", |b| {
        b.iter(|| std::hint::black_box(&pod).build().expect("builds").to_yaml())
    });
    c.bench_function("render yaml only (dind emitter)", |b| {
        b.iter(|| std::hint::black_box(&built).to_yaml())
    });
    c.bench_function("serde_yaml::to_string of the same Pod", |b| {
        b.iter(|| serde_yaml::to_string(std::hint::black_box(built.pod())).expect("serializes"))
    });
}

mod group {
    #![allow(missing_docs)]
    use super::bench;
    use criterion::criterion_group;
    criterion_group!(benches, bench);
}
use group::benches;
criterion_main!(benches);
