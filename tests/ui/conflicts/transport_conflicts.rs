#[derive(dind::DindConfig)]
#[dind(transport = "tcp", socket = "/dind/docker.sock")]
struct SocketWithTcp {}

#[derive(dind::DindConfig)]
#[dind(transport = "unix", port = 2375)]
struct PortWithUnix {}

#[derive(dind::DindConfig)]
#[dind(transport = "tcp", rootless)]
struct RootlessTcp {}

fn main() {}
