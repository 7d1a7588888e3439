//! The attribute grammar, parsed with darling: struct-level literals and field roles.

use darling::util::{Flag, SpannedValue};
use darling::{FromDeriveInput, FromField, ast};

/// `#[dind(...)]` on the struct: the builder vocabulary as literals.
#[derive(Debug, FromDeriveInput)]
#[darling(attributes(dind), supports(struct_named))]
pub struct StructAttrs {
    pub ident: syn::Ident,
    pub generics: syn::Generics,
    pub data: ast::Data<darling::util::Ignored, FieldAttrs>,
    pub transport: Option<SpannedValue<String>>,
    pub socket: Option<SpannedValue<String>>,
    pub port: Option<syn::LitInt>,
    pub rootless: Flag,
    pub image: Option<SpannedValue<String>>,
    pub docker_version: Option<SpannedValue<String>>,
    pub mtu: Option<syn::LitInt>,
    pub native_sidecar: Flag,
    pub kube_version: Option<SpannedValue<String>>,
    pub runtime: Option<SpannedValue<String>>,
    pub user_namespace: Option<SpannedValue<String>>,
    pub engine: Option<SpannedValue<String>>,
    pub buildkit_version: Option<SpannedValue<String>>,
    pub registry_auth: Option<SpannedValue<String>>,
    #[darling(rename = "crate")]
    pub krate: Option<syn::Path>,
}

/// `#[dind(role)]` on a field.
#[derive(Debug, FromField)]
#[darling(attributes(dind))]
pub struct FieldAttrs {
    pub ident: Option<syn::Ident>,
    pub ty: syn::Type,
    pub port: Flag,
    pub socket: Flag,
    pub image: Flag,
    pub mtu: Flag,
    pub registry_mirrors: Flag,
    pub insecure_registries: Flag,
    pub clients: Flag,
    pub env: Flag,
    pub labels: Flag,
    pub kube_version: Flag,
    pub skip: Flag,
}

/// A field role: which builder call the field's value feeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Port,
    Socket,
    Image,
    Mtu,
    RegistryMirrors,
    InsecureRegistries,
    Clients,
    Env,
    Labels,
    KubeVersion,
    Skip,
}

impl Role {
    pub const ALL: [(Role, &'static str); 11] = [
        (Role::Port, "port"),
        (Role::Socket, "socket"),
        (Role::Image, "image"),
        (Role::Mtu, "mtu"),
        (Role::RegistryMirrors, "registry_mirrors"),
        (Role::InsecureRegistries, "insecure_registries"),
        (Role::Clients, "clients"),
        (Role::Env, "env"),
        (Role::Labels, "labels"),
        (Role::KubeVersion, "kube_version"),
        (Role::Skip, "skip"),
    ];

    pub fn name(self) -> &'static str {
        Self::ALL.iter().find(|(r, _)| *r == self).map_or("skip", |(_, n)| n)
    }

    pub fn from_name(name: &str) -> Option<Role> {
        Self::ALL.iter().find(|(_, n)| *n == name).map(|(r, _)| *r)
    }
}

impl FieldAttrs {
    /// The roles given in the attribute, with their spans.
    pub fn roles(&self) -> Vec<(Role, proc_macro2::Span)> {
        [
            (Role::Port, &self.port),
            (Role::Socket, &self.socket),
            (Role::Image, &self.image),
            (Role::Mtu, &self.mtu),
            (Role::RegistryMirrors, &self.registry_mirrors),
            (Role::InsecureRegistries, &self.insecure_registries),
            (Role::Clients, &self.clients),
            (Role::Env, &self.env),
            (Role::Labels, &self.labels),
            (Role::KubeVersion, &self.kube_version),
            (Role::Skip, &self.skip),
        ]
        .into_iter()
        .filter(|(_, f)| f.is_present())
        .map(|(r, f)| (r, f.span()))
        .collect()
    }
}
