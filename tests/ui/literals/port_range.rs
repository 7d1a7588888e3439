#[derive(dind::DindConfig)]
#[dind(transport = "tcp", port = 0)]
struct Zero {}

#[derive(dind::DindConfig)]
#[dind(transport = "tls", port = 70000)]
struct TooBig {}

fn main() {}
