//! Authentication providers and ACL rules (spec §6.7). Pure: no IO, no clock; randomness (the
//! SASL nonce) comes from the caller.
//!
//! - `authenticate` / `add_auth_ids` / `connection_ids`: auth packets and a connection's ids
//! - `check_acl`, `fixup_acl`, `acl_for_get_acl` / `redact_digests`, `who_am_i`
//! - `Providers`: which schemes have a provider (ZooKeeper's `ProviderRegistry`)
//! - `sasl`: DIGEST-MD5 server and the JAAS file reader

mod acl_check;
mod authenticate;
mod digest;
mod fixup;
mod ip;
mod java_int;
mod kerberos_name;
mod providers;
mod redact;
pub mod sasl;
mod who_am_i;
mod x500_name;

pub use acl_check::check_acl;
pub use authenticate::{add_auth_ids, authenticate, connection_ids, sasl_ids, AuthError};
pub use digest::{digest_id, digest_is_valid, digest_user_name, generate_digest};
pub use fixup::{fixup_acl, InvalidAcl};
pub use ip::{ip_id_text, ip_is_valid, ip_matches};
pub use kerberos_name::{parse_kerberos_name, KerberosName};
pub use providers::Providers;
pub use redact::{acl_for_get_acl, redact_digests};
pub use who_am_i::who_am_i;
pub use x500_name::x500_name_is_valid;
