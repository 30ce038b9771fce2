//! whoAmI (`AuthUtil.getClientInfos`): one entry per id the connection holds.

use super::providers::Providers;
use crate::wire::{ClientInfo, Id};

/// `authScheme` = scheme; `user` = the provider's user name, or empty when the scheme has no
/// provider (e.g. `super`).
pub fn who_am_i(providers: &Providers, ids: &[Id]) -> Vec<ClientInfo> {
    ids.iter()
        .map(|i| ClientInfo {
            auth_scheme: i.scheme.clone(),
            user: providers.user_name(&i.scheme, &i.id).unwrap_or_default(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_id() {
        let p = Providers::default();
        let ids = [
            Id::new("ip", "0:0:0:0:0:0:0:1"),
            Id::new("super", ""),
            Id::new("digest", "user:tpUq/4Pn5A64fVZyQ0gOJ8ZWqkY="),
            Id::new("sasl", "bob"),
        ];
        let got: Vec<(String, String)> = who_am_i(&p, &ids).into_iter().map(|c| (c.auth_scheme, c.user)).collect();
        let want: Vec<(String, String)> = [("ip", "0:0:0:0:0:0:0:1"), ("super", ""), ("digest", "user"), ("sasl", "")]
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        assert_eq!(got, want);
        let with_sasl = Providers { sasl: true, ..Providers::default() };
        assert_eq!(who_am_i(&with_sasl, &ids[3..])[0].user, "bob");
    }
}
