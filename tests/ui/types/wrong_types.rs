use std::collections::HashMap;

#[derive(dind::DindConfig)]
#[dind(transport = "tcp")]
struct Agent {
    #[dind(port)]
    port: String,
    #[dind(mtu)]
    mtu: f64,
    #[dind(env)]
    env: HashMap<String, String>,
}

fn main() {}
