#[derive(dind::DindConfig)]
#[dind(transport = "tpc", mtu = 20, kube_version = "latest")]
struct Agent {}

fn main() {}
