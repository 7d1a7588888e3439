#[derive(dind::DindConfig)]
#[dind(runtime = "sysbox", rootless)]
struct RootlessSysbox {}

#[derive(dind::DindConfig)]
#[dind(user_namespace = "cri-o")]
struct UserNamespaceWithRunc {}

#[derive(dind::DindConfig)]
#[dind(runtime = "sysbox", kube_version = "1.28")]
struct SysboxOnOldKubernetes {}

#[derive(dind::DindConfig)]
#[dind(runtime = "sysbox", user_namespace = "cri-o", kube_version = "1.28")]
struct SysboxOnCriO {}

fn main() {}
