#[derive(dind::DindConfig)]
#[dind(engine = "buildkit", transport = "tcp", rootless, docker_version = "29", mtu = 1440)]
struct DockerSettingsOnBuildkit {}

#[derive(dind::DindConfig)]
#[dind(engine = "buildkit", runtime = "sysbox")]
struct BuildkitUnderSysbox {}

#[derive(dind::DindConfig)]
#[dind(buildkit_version = "0.32")]
struct BuildkitVersionWithDocker {}

#[derive(dind::DindConfig)]
#[dind(engine = "buildkit", image = "moby/buildkit:v0.32.2-rootless", buildkit_version = "0.32")]
struct ImageAndVersion {}

fn main() {}
