#[derive(dind::DindConfig)]
#[dind(transprot = "tcp")]
struct Agent {}

fn main() {}
