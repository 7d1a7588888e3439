#[derive(dind::DindConfig)]
#[dind(native_sidecar, kube_version = "1.28")]
struct OldSidecar {}

#[derive(dind::DindConfig)]
#[dind(image = "docker:29.7.2-dind", docker_version = "29")]
struct ImageAndVersion {}

fn main() {}
