//! Code generation: the checked plan lowered into builder calls (as clap_derive does), or, on
//! error, the errors plus a dummy impl so that no follow-on errors cascade.

use darling::FromDeriveInput;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::attrs::{Role, StructAttrs};
use crate::check::{Plan, check};

/// Expands `#[derive(DindConfig)]` on `input`.
pub fn expand(input: &syn::DeriveInput) -> TokenStream {
    let krate = crate_path(input);
    let (known, mut errors) = crate::keys::strip_unknown(input);
    let parsed = match StructAttrs::from_derive_input(&known).and_then(check) {
        Ok(plan) if errors.is_empty() => Ok(plan),
        Ok(_) => Err(darling::Error::multiple(errors)),
        Err(e) => {
            errors.push(e);
            Err(darling::Error::multiple(errors))
        }
    };
    match parsed {
        Ok(plan) => generate(&plan),
        Err(errors) => {
            let ident = &input.ident;
            let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
            let errors = errors.write_errors();
            quote! {
                #errors
                impl #impl_generics #krate::DindConfig for #ident #ty_generics #where_clause {
                    fn dind_pod(&self) -> #krate::DindPod {
                        ::core::unreachable!("#[derive(DindConfig)] reported errors")
                    }
                    fn dind_struct_name() -> &'static str {
                        ::core::stringify!(#ident)
                    }
                    fn dind_field_settings() -> &'static [(&'static str, &'static str)] {
                        &[]
                    }
                }
            }
        }
    }
}

/// The crate path for the dummy impl, read leniently (the real parse reports any problem).
fn crate_path(input: &syn::DeriveInput) -> syn::Path {
    let mut path: syn::Path = syn::parse_quote!(::dind);
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("dind")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("crate") {
                let lit: syn::LitStr = meta.value()?.parse()?;
                if let Ok(p) = lit.parse() {
                    path = p;
                }
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    path
}

fn generate(plan: &Plan) -> TokenStream {
    let krate = &plan.krate;
    let ident = &plan.ident;
    let (impl_generics, ty_generics, where_clause) = plan.generics.split_for_impl();
    let mut calls = Vec::new();
    match plan.transport.as_deref() {
        Some("tcp") => calls.push(quote! { pod = pod.transport(#krate::Transport::tcp()); }),
        Some("tls") => calls.push(quote! { pod = pod.transport(#krate::Transport::tls()); }),
        Some("in-container") => calls.push(quote! { pod = pod.transport(#krate::Transport::InContainer); }),
        Some(_) => calls.push(quote! { pod = pod.transport(#krate::Transport::unix()); }),
        None => {}
    }
    match plan.runtime.as_deref() {
        Some("sysbox") => calls.push(quote! { pod = pod.runtime(#krate::Runtime::Sysbox); }),
        Some(_) => calls.push(quote! { pod = pod.runtime(#krate::Runtime::Runc); }),
        None => {}
    }
    match plan.engine.as_deref() {
        Some("buildkit") => calls.push(quote! { pod = pod.engine(#krate::Engine::Buildkit); }),
        Some(_) => calls.push(quote! { pod = pod.engine(#krate::Engine::Docker); }),
        None => {}
    }
    if let Some(v) = &plan.buildkit_version {
        calls.push(quote! { pod = pod.buildkit_version(#v); });
    }
    if let Some(s) = &plan.registry_auth {
        calls.push(quote! { pod = pod.registry_auth(#s); });
    }
    match plan.user_namespace.as_deref() {
        Some("cri-o") => calls.push(quote! { pod = pod.user_namespace(#krate::UserNamespace::CriO); }),
        Some(_) => calls.push(quote! { pod = pod.user_namespace(#krate::UserNamespace::Kubernetes); }),
        None => {}
    }
    if let Some(s) = &plan.socket {
        calls.push(quote! { pod = pod.socket(#s); });
    }
    if let Some(p) = plan.port {
        calls.push(quote! { pod = pod.port(#p); });
    }
    if plan.rootless {
        calls.push(quote! { pod = pod.rootless(); });
    }
    if let Some(i) = &plan.image {
        calls.push(quote! { pod = pod.image(#i); });
    }
    if let Some(v) = &plan.docker_version {
        calls.push(quote! { pod = pod.docker_version(#v); });
    }
    if let Some(m) = plan.mtu {
        calls.push(quote! { pod = pod.mtu(#m); });
    }
    if plan.native_sidecar {
        calls.push(quote! { pod = pod.native_sidecar(); });
    }
    if let Some(k) = &plan.kube_version {
        calls.push(quote! { pod = pod.kube_version(#k); });
    }
    let mut settings = Vec::new();
    for (field, ty, role) in &plan.fields {
        let span = ty.span();
        let d = quote!(#krate::derived);
        let call = match role {
            Role::Port => quote_spanned! {span=> pod = <#ty as #d::PortField>::apply_port(&self.#field, pod); },
            Role::Socket => quote_spanned! {span=> pod = <#ty as #d::SocketField>::apply_socket(&self.#field, pod); },
            Role::Image => quote_spanned! {span=> pod = <#ty as #d::ImageField>::apply_image(&self.#field, pod); },
            Role::Mtu => quote_spanned! {span=> pod = <#ty as #d::MtuField>::apply_mtu(&self.#field, pod); },
            Role::RegistryMirrors => {
                quote_spanned! {span=> pod = <#ty as #d::RegistryMirrorsField>::apply_registry_mirrors(&self.#field, pod); }
            }
            Role::InsecureRegistries => {
                quote_spanned! {span=> pod = <#ty as #d::InsecureRegistriesField>::apply_insecure_registries(&self.#field, pod); }
            }
            Role::Clients => {
                quote_spanned! {span=> pod = <#ty as #d::ClientsField>::apply_clients(&self.#field, pod); }
            }
            Role::Env => quote_spanned! {span=> pod = #d::apply_env::<#ty>(&self.#field, pod); },
            Role::Labels => quote_spanned! {span=> pod = #d::apply_labels::<#ty>(&self.#field, pod); },
            Role::KubeVersion => {
                quote_spanned! {span=> pod = <#ty as #d::KubeVersionField>::apply_kube_version(&self.#field, pod); }
            }
            Role::Skip => continue,
        };
        calls.push(call);
        let setting = role.name();
        let name = field.to_string();
        settings.push(quote! { (#setting, #name) });
    }
    quote! {
        impl #impl_generics #krate::DindConfig for #ident #ty_generics #where_clause {
            fn dind_pod(&self) -> #krate::DindPod {
                let mut pod = #krate::DindPod::new();
                #(#calls)*
                pod
            }
            fn dind_struct_name() -> &'static str {
                ::core::stringify!(#ident)
            }
            fn dind_field_settings() -> &'static [(&'static str, &'static str)] {
                &[#(#settings),*]
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::expand;

    fn pretty(input: syn::DeriveInput) -> String {
        let file: syn::File = syn::parse2(expand(&input)).expect("the expansion parses as items");
        prettyplease::unparse(&file)
    }

    #[test]
    fn expansion_lowers_into_builder_calls() {
        let input: syn::DeriveInput = syn::parse_quote! {
            #[dind(transport = "tcp", docker_version = "29", mtu = 1440)]
            struct Agent {
                #[dind(port)]
                port: u16,
                #[dind(registry_mirrors)]
                mirrors: Vec<String>,
                #[dind(env)]
                env: std::collections::BTreeMap<String, String>,
                labels: Vec<(String, String)>,
                #[dind(skip)]
                notes: String,
            }
        };
        insta::assert_snapshot!(pretty(input));
    }

    #[test]
    fn errors_come_with_a_dummy_impl() {
        let input: syn::DeriveInput = syn::parse_quote! {
            #[dind(transprot = "tcp", port = 0, crate = "my_dind")]
            struct Agent {}
        };
        insta::assert_snapshot!(pretty(input));
    }
}
