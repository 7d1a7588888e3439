//! The runtime side of `#[derive(DindConfig)]`: the [`DindConfig`] trait, and the field traits
//! that let a field of the right type feed its builder call. A field of the wrong type fails to
//! compile with a message naming the role, at the field's type.

use std::collections::BTreeMap;

use crate::{Built, Client, Diagnostics, DindPod, JenkinsPod};

/// A config struct that describes a dind pod. Derive it with `#[derive(DindConfig)]` (see the
/// `dind` crate's documentation of the derive for the attributes).
pub trait DindConfig {
    /// The builder calls the attributes lower to.
    fn dind_pod(&self) -> DindPod;

    /// The struct's name, for error messages.
    fn dind_struct_name() -> &'static str
    where
        Self: Sized;

    /// `(setting, field)` pairs: which field feeds which setting.
    fn dind_field_settings() -> &'static [(&'static str, &'static str)]
    where
        Self: Sized;

    /// Builds the pod. Errors about a setting that a field feeds name the field:
    /// `Agent.port: 0 is not a valid TCP port (1..=65535)`.
    fn build(&self) -> Result<Built, Diagnostics>
    where
        Self: Sized,
    {
        self.dind_pod().build().map_err(name_fields::<Self>)
    }

    /// Builds the pod as a Jenkins agent (see [`DindPod::build_jenkins`]), naming fields in
    /// errors as [`DindConfig::build`] does.
    fn build_jenkins(&self) -> Result<JenkinsPod, Diagnostics>
    where
        Self: Sized,
    {
        self.dind_pod().build_jenkins().map_err(name_fields::<Self>)
    }
}

/// Rewrites the paths of errors about a setting that a field feeds to `Struct.field`.
fn name_fields<T: DindConfig>(errors: Diagnostics) -> Diagnostics {
    errors.map_paths(|d| {
        let setting = d.path.split(['.', '[']).next().unwrap_or("").to_string();
        if let Some((_, field)) = T::dind_field_settings().iter().find(|(s, _)| *s == setting) {
            d.path = format!("{}.{field}{}", T::dind_struct_name(), &d.path[setting.len()..]);
        }
    })
}

macro_rules! field_trait {
    ($(#[$doc:meta])* $name:ident, $message:literal, $label:literal, fn $method:ident(&self, pod: DindPod) -> DindPod) => {
        $(#[$doc])*
        #[diagnostic::on_unimplemented(message = $message, label = $label)]
        pub trait $name {
            /// Applies the field's value to the builder (an `Option` only when `Some`).
            fn $method(&self, pod: DindPod) -> DindPod;
        }

        impl<T: $name> $name for Option<T> {
            fn $method(&self, pod: DindPod) -> DindPod {
                match self {
                    Some(v) => v.$method(pod),
                    None => pod,
                }
            }
        }
    };
}

field_trait!(
    /// `#[dind(port)]`: `u16` or `u32` (checked at build: 1..=65535).
    PortField, "`#[dind(port)]` cannot take a field of type `{Self}`", "expected a `u16` or `u32`", fn apply_port(&self, pod: DindPod) -> DindPod
);
impl PortField for u16 {
    fn apply_port(&self, pod: DindPod) -> DindPod {
        pod.port(u32::from(*self))
    }
}
impl PortField for u32 {
    fn apply_port(&self, pod: DindPod) -> DindPod {
        pod.port(*self)
    }
}

field_trait!(
    /// `#[dind(mtu)]`: `u16` or `u32` (checked at build: 68..=65535).
    MtuField, "`#[dind(mtu)]` cannot take a field of type `{Self}`", "expected a `u16` or `u32`", fn apply_mtu(&self, pod: DindPod) -> DindPod
);
impl MtuField for u16 {
    fn apply_mtu(&self, pod: DindPod) -> DindPod {
        pod.mtu(u32::from(*self))
    }
}
impl MtuField for u32 {
    fn apply_mtu(&self, pod: DindPod) -> DindPod {
        pod.mtu(*self)
    }
}

/// Text-like field types: `String`, `&str`, `PathBuf` (for paths).
pub trait Text {
    /// The value as a `String`.
    fn text(&self) -> String;
}
impl Text for String {
    fn text(&self) -> String {
        self.clone()
    }
}
impl Text for &str {
    fn text(&self) -> String {
        (*self).to_string()
    }
}
impl Text for std::path::PathBuf {
    fn text(&self) -> String {
        self.to_string_lossy().into_owned()
    }
}

field_trait!(
    /// `#[dind(socket)]`: a `String`, `&str` or `PathBuf`.
    SocketField, "`#[dind(socket)]` cannot take a field of type `{Self}`", "expected a `String`, `&str` or `PathBuf`", fn apply_socket(&self, pod: DindPod) -> DindPod
);
impl<T: Text> SocketField for T {
    fn apply_socket(&self, pod: DindPod) -> DindPod {
        pod.socket(self.text())
    }
}

field_trait!(
    /// `#[dind(image)]`: a `String` or `&str`.
    ImageField, "`#[dind(image)]` cannot take a field of type `{Self}`", "expected a `String` or `&str`", fn apply_image(&self, pod: DindPod) -> DindPod
);
impl ImageField for String {
    fn apply_image(&self, pod: DindPod) -> DindPod {
        pod.image(self.clone())
    }
}
impl ImageField for &str {
    fn apply_image(&self, pod: DindPod) -> DindPod {
        pod.image(*self)
    }
}

field_trait!(
    /// `#[dind(kube_version)]`: a `String` or `&str` such as `"1.33"`.
    KubeVersionField, "`#[dind(kube_version)]` cannot take a field of type `{Self}`", "expected a `String` or `&str`", fn apply_kube_version(&self, pod: DindPod) -> DindPod
);
impl KubeVersionField for String {
    fn apply_kube_version(&self, pod: DindPod) -> DindPod {
        pod.kube_version(self.clone())
    }
}
impl KubeVersionField for &str {
    fn apply_kube_version(&self, pod: DindPod) -> DindPod {
        pod.kube_version(*self)
    }
}

field_trait!(
    /// `#[dind(registry_mirrors)]`: a `Vec` of `String` or `&str`.
    RegistryMirrorsField, "`#[dind(registry_mirrors)]` cannot take a field of type `{Self}`", "expected a `Vec<String>`", fn apply_registry_mirrors(&self, pod: DindPod) -> DindPod
);
impl<T: Text> RegistryMirrorsField for Vec<T> {
    fn apply_registry_mirrors(&self, pod: DindPod) -> DindPod {
        self.iter().fold(pod, |p, m| p.registry_mirror(m.text()))
    }
}

field_trait!(
    /// `#[dind(insecure_registries)]`: a `Vec` of `String` or `&str`.
    InsecureRegistriesField, "`#[dind(insecure_registries)]` cannot take a field of type `{Self}`", "expected a `Vec<String>`", fn apply_insecure_registries(&self, pod: DindPod) -> DindPod
);
impl<T: Text> InsecureRegistriesField for Vec<T> {
    fn apply_insecure_registries(&self, pod: DindPod) -> DindPod {
        self.iter().fold(pod, |p, h| p.insecure_registry(h.text()))
    }
}

field_trait!(
    /// `#[dind(clients)]`: a `Vec<dind::Client>`.
    ClientsField, "`#[dind(clients)]` cannot take a field of type `{Self}`", "expected a `Vec<dind::Client>`", fn apply_clients(&self, pod: DindPod) -> DindPod
);
impl ClientsField for Vec<Client> {
    fn apply_clients(&self, pod: DindPod) -> DindPod {
        self.iter().cloned().fold(pod, DindPod::client)
    }
}

/// Name/value pairs in a stable order: `BTreeMap<String, String>` or `Vec<(String, String)>`.
/// A `HashMap` is refused: its order changes between runs, and so would the YAML.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a stable list of name/value pairs",
    label = "expected `BTreeMap<String, String>` or `Vec<(String, String)>`",
    note = "a `HashMap` iterates in a different order every run, so the rendered YAML would change"
)]
pub trait Pairs {
    /// The pairs, in order.
    fn pairs(&self) -> Vec<(String, String)>;
}
impl Pairs for BTreeMap<String, String> {
    fn pairs(&self) -> Vec<(String, String)> {
        self.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }
}
impl<K: Text, V: Text> Pairs for Vec<(K, V)> {
    fn pairs(&self) -> Vec<(String, String)> {
        self.iter().map(|(k, v)| (k.text(), v.text())).collect()
    }
}
impl<T: Pairs> Pairs for Option<T> {
    fn pairs(&self) -> Vec<(String, String)> {
        self.as_ref().map(Pairs::pairs).unwrap_or_default()
    }
}

/// `#[dind(env)]`: environment for every client.
pub fn apply_env<T: Pairs>(value: &T, pod: DindPod) -> DindPod {
    value.pairs().into_iter().fold(pod, |p, (k, v)| p.env(k, v))
}

/// `#[dind(labels)]`: pod labels.
pub fn apply_labels<T: Pairs>(value: &T, pod: DindPod) -> DindPod {
    value.pairs().into_iter().fold(pod, |p, (k, v)| p.label(k, v))
}
