#[derive(dind::DindConfig)]
#[dind(socket = "/a-very-long-directory-name-that-goes-on-and-on/and-on-and-on-and-on/until-the-kernel-refuses-it-because-sun-path-has-108-bytes/docker.sock")]
struct Agent {}

fn main() {}
