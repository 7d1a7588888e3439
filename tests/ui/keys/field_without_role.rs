#[derive(dind::DindConfig)]
#[dind(transport = "tcp")]
struct Agent {
    port: u16,
    description: String,
}

fn main() {}
