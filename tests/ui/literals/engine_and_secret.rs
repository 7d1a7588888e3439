#[derive(dind::DindConfig)]
#[dind(engine = "buildkitd")]
struct UnknownEngine {}

#[derive(dind::DindConfig)]
#[dind(registry_auth = "Registry_Credentials")]
struct BadSecretName {}

fn main() {}
