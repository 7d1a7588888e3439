#[derive(dind::DindConfig)]
struct Agent {
    #[dind(prot)]
    port: u16,
    #[dind(skip)]
    note: String,
}

fn main() {}
