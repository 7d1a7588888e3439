#[derive(dind::DindConfig)]
#[dind(transport = "tcp", port = 2375, port = 2376)]
struct KeyTwice {}

#[derive(dind::DindConfig)]
#[dind(transport = "tcp", port = 2375)]
struct LiteralAndField {
    port: u16,
}

#[derive(dind::DindConfig)]
struct TwoFields {
    #[dind(mtu)]
    inner_mtu: u32,
    #[dind(mtu)]
    outer_mtu: u32,
}

#[derive(dind::DindConfig)]
struct TwoRoles {
    #[dind(image, kube_version)]
    value: String,
}

fn main() {}
