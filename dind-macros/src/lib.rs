//! `#[derive(DindConfig)]`: an annotated config struct lowered into calls on the `dind` builder.
//! Use it through the `dind` crate (`dind::DindConfig`), whose documentation is the attribute
//! reference. This crate does not depend on k8s-openapi: validation lives once, in the builder
//! and the rules; the derive checks only what literals make knowable at compile time.
#![forbid(unsafe_code)]

mod attrs;
mod check;
mod expand;
mod keys;

use proc_macro::TokenStream;

/// Derives `dind::DindConfig`. See `dind::DindConfig` for the attributes.
#[proc_macro_derive(DindConfig, attributes(dind))]
pub fn derive_dind_config(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    expand::expand(&input).into()
}
