//! Any bytes as a `--btf` input: raw BTF, vmlinux or module ELF, a
//! compressed module, a bzImage (`btf::input::from_bytes`), then its kfunc
//! report and prototypes. A module without a distilled base is read on the
//! small base of `kfuncdoc_fuzz::base`.
#![no_main]

use kfuncdoc::btf::bytes::Bytes;
use kfuncdoc::btf::{BtfError, input, kfuncs};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let path = Path::new("fuzz.ko");
    let img = match input::from_bytes(path, Bytes::from_vec(data.to_vec()), None) {
        Err(BtfError::NeedsBase) => input::from_bytes(
            path,
            Bytes::from_vec(data.to_vec()),
            Some(kfuncdoc_fuzz::base()),
        ),
        other => other,
    };
    let Ok(img) = img else { return };
    let _ = img.kernel_version();
    if let Ok(report) = img.report() {
        let ids: Vec<u32> = report.report.kfuncs.iter().map(|k| k.btf_id).collect();
        let _ = kfuncs::prototypes(img.btf(), &ids);
    }
});
