// An unknown key does not hide the other errors: all are reported at once.
#[derive(dind::DindConfig)]
#[dind(transprot = "tcp", port = 0, mtu = 20)]
struct Agent {
    #[dind(imag)]
    image: String,
}

fn main() {}
