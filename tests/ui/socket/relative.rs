#[derive(dind::DindConfig)]
#[dind(socket = "dind/docker.sock")]
struct Agent {}

fn main() {}
