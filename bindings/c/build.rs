//! Gives the shared library an ELF soname, so programs linked against it name the ABI they
//! were built for: `libvpnha.so.0.<minor>` before 1.0 (every minor release may break the ABI),
//! `libvpnha.so.<major>` from 1.0 on.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os != "linux" && os != "android" {
        return;
    }
    let major = env!("CARGO_PKG_VERSION_MAJOR");
    let minor = env!("CARGO_PKG_VERSION_MINOR");
    let soname = if major == "0" {
        format!("libvpnha.so.0.{minor}")
    } else {
        format!("libvpnha.so.{major}")
    };
    println!("cargo::rustc-cdylib-link-arg=-Wl,-soname,{soname}");
}
