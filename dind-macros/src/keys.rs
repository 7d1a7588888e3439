//! A first pass over the `#[dind(...)]` attributes: unknown keys and roles are reported (with a
//! "did you mean") and removed, so that the typed parse and the checks still run on the rest and
//! every error is reported at once.

use syn::punctuated::Punctuated;

use crate::attrs::Role;

/// The struct-level keys.
pub const STRUCT_KEYS: [&str; 15] = [
    "transport",
    "socket",
    "port",
    "rootless",
    "image",
    "docker_version",
    "mtu",
    "native_sidecar",
    "kube_version",
    "runtime",
    "user_namespace",
    "engine",
    "buildkit_version",
    "registry_auth",
    "crate",
];

use dind_facts::did_you_mean;

fn filter(attrs: &mut [syn::Attribute], known: &[&str], what: &str, errors: &mut Vec<darling::Error>) {
    for attr in attrs.iter_mut().filter(|a| a.path().is_ident("dind")) {
        // Syntax errors are left for the typed parse to report.
        let Ok(metas) = attr.parse_args_with(Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated) else {
            continue;
        };
        let mut kept = Punctuated::<syn::Meta, syn::Token![,]>::new();
        for meta in metas {
            let name = meta.path().get_ident().map(ToString::to_string).unwrap_or_default();
            if known.contains(&name.as_str()) {
                kept.push(meta);
            } else {
                let shown = if name.is_empty() {
                    quote::quote!(#meta).to_string()
                } else {
                    name.clone()
                };
                let hint = did_you_mean(&name, known.iter().copied())
                    .map(|k| format!("; did you mean `{k}`?"))
                    .unwrap_or_default();
                errors.push(
                    darling::Error::custom(format!(
                        "unknown {what} `{shown}` (expected one of: {}){hint}",
                        known.join(", ")
                    ))
                    .with_span(meta.path()),
                );
            }
        }
        *attr = syn::parse_quote!(#[dind(#kept)]);
    }
}

/// Returns `input` without unknown keys and roles, and an error for each one removed.
pub fn strip_unknown(input: &syn::DeriveInput) -> (syn::DeriveInput, Vec<darling::Error>) {
    let mut input = input.clone();
    let mut errors = Vec::new();
    filter(&mut input.attrs, &STRUCT_KEYS, "key", &mut errors);
    let roles: Vec<&str> = Role::ALL.iter().map(|(_, n)| *n).collect();
    if let syn::Data::Struct(data) = &mut input.data {
        for field in data.fields.iter_mut() {
            filter(&mut field.attrs, &roles, "role", &mut errors);
        }
    }
    (input, errors)
}
