#[derive(dind::DindConfig)]
#[dind(transport = "tcp")]
struct Agent {
    #[dind(prot)]
    port: u16,
    #[dind(skip)]
    note: String,
}

fn main() {}
