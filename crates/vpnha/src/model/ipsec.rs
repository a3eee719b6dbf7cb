//! Custom IPsec/IKE policy of a connection.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::names::{UnknownName, named_enum};

/// A value that is one of an enumeration's names, or text that is not (kept so validation
/// can report it with a suggestion instead of refusing the whole file).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum MaybeKnown<T> {
    /// A recognised name.
    Known(T),
    /// Text that names nothing known.
    Unknown(String),
}

impl<T: Copy> MaybeKnown<T> {
    /// The recognised value, if any.
    pub fn known(&self) -> Option<T> {
        match self {
            MaybeKnown::Known(t) => Some(*t),
            MaybeKnown::Unknown(_) => None,
        }
    }
}

impl<T: fmt::Display> fmt::Display for MaybeKnown<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MaybeKnown::Known(t) => t.fmt(f),
            MaybeKnown::Unknown(s) => f.write_str(s),
        }
    }
}

impl<T: std::str::FromStr<Err = UnknownName>> std::str::FromStr for MaybeKnown<T> {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.parse() {
            Ok(t) => MaybeKnown::Known(t),
            Err(_) => MaybeKnown::Unknown(s.to_owned()),
        })
    }
}

impl<T: fmt::Display> Serialize for MaybeKnown<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de, T: std::str::FromStr<Err = UnknownName>> Deserialize<'de> for MaybeKnown<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(match s.parse() {
            Ok(t) => MaybeKnown::Known(t),
            Err(_) => MaybeKnown::Unknown(s),
        })
    }
}

named_enum! {
    /// IKE (phase 1) encryption.
    pub enum IkeEncryption ("IKE encryption") {
        /// AES-256-CBC.
        Aes256 = "AES256",
        /// AES-192-CBC.
        Aes192 = "AES192",
        /// AES-128-CBC.
        Aes128 = "AES128",
        /// Triple DES.
        Des3 = "DES3",
        /// DES.
        Des = "DES",
        /// AES-256-GCM.
        GcmAes256 = "GCMAES256",
        /// AES-128-GCM.
        GcmAes128 = "GCMAES128",
    }
}

named_enum! {
    /// IKE (phase 1) integrity.
    pub enum IkeIntegrity ("IKE integrity") {
        /// SHA-384.
        Sha384 = "SHA384",
        /// SHA-256.
        Sha256 = "SHA256",
        /// SHA-1.
        Sha1 = "SHA1",
        /// MD5.
        Md5 = "MD5",
        /// AES-256-GCM.
        GcmAes256 = "GCMAES256",
        /// AES-128-GCM.
        GcmAes128 = "GCMAES128",
    }
}

named_enum! {
    /// Diffie-Hellman group for IKE.
    pub enum DhGroup ("DH group") {
        /// No DH group.
        None = "None",
        /// Group 1.
        DhGroup1 = "DHGroup1",
        /// Group 2.
        DhGroup2 = "DHGroup2",
        /// Group 14.
        DhGroup14 = "DHGroup14",
        /// Group 14 (alternative name).
        DhGroup2048 = "DHGroup2048",
        /// ECP 256 (group 19).
        Ecp256 = "ECP256",
        /// ECP 384 (group 20).
        Ecp384 = "ECP384",
        /// Group 24.
        DhGroup24 = "DHGroup24",
    }
}

named_enum! {
    /// IPsec (phase 2) encryption.
    pub enum IpsecEncryption ("IPsec encryption") {
        /// No encryption.
        None = "None",
        /// DES.
        Des = "DES",
        /// Triple DES.
        Des3 = "DES3",
        /// AES-128-CBC.
        Aes128 = "AES128",
        /// AES-192-CBC.
        Aes192 = "AES192",
        /// AES-256-CBC.
        Aes256 = "AES256",
        /// AES-128-GCM.
        GcmAes128 = "GCMAES128",
        /// AES-192-GCM.
        GcmAes192 = "GCMAES192",
        /// AES-256-GCM.
        GcmAes256 = "GCMAES256",
    }
}

named_enum! {
    /// IPsec (phase 2) integrity.
    pub enum IpsecIntegrity ("IPsec integrity") {
        /// MD5.
        Md5 = "MD5",
        /// SHA-1.
        Sha1 = "SHA1",
        /// SHA-256.
        Sha256 = "SHA256",
        /// AES-128-GCM.
        GcmAes128 = "GCMAES128",
        /// AES-192-GCM.
        GcmAes192 = "GCMAES192",
        /// AES-256-GCM.
        GcmAes256 = "GCMAES256",
    }
}

named_enum! {
    /// Perfect-forward-secrecy group for IPsec.
    pub enum PfsGroup ("PFS group") {
        /// No PFS.
        None = "None",
        /// Group 1.
        Pfs1 = "PFS1",
        /// Group 2.
        Pfs2 = "PFS2",
        /// Group 14.
        Pfs2048 = "PFS2048",
        /// ECP 256.
        Ecp256 = "ECP256",
        /// ECP 384.
        Ecp384 = "ECP384",
        /// Group 24.
        Pfs24 = "PFS24",
        /// Group 14 (alternative name).
        Pfs14 = "PFS14",
        /// PFS with the main-mode group.
        PfsMm = "PFSMM",
    }
}

/// A custom IPsec/IKE policy: when present, every field is required (Azure accepts no
/// partial policies).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IpsecPolicy {
    /// IKE encryption.
    pub ike_encryption: MaybeKnown<IkeEncryption>,
    /// IKE integrity.
    pub ike_integrity: MaybeKnown<IkeIntegrity>,
    /// DH group.
    pub dh_group: MaybeKnown<DhGroup>,
    /// IPsec encryption.
    pub ipsec_encryption: MaybeKnown<IpsecEncryption>,
    /// IPsec integrity.
    pub ipsec_integrity: MaybeKnown<IpsecIntegrity>,
    /// PFS group.
    pub pfs_group: MaybeKnown<PfsGroup>,
    /// Quick-mode SA lifetime in seconds (at least 300).
    pub sa_lifetime_seconds: u64,
    /// Quick-mode SA lifetime in kilobytes (at least 1024).
    pub sa_data_size_kilobytes: u64,
}
