#[derive(dind::DindConfig)]
#[dind(runtime = "sysbx", user_namespace = "crio")]
struct Typos {}

fn main() {}
