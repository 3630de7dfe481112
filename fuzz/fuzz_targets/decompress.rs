//! Any bytes as a compressed stream or a bzImage: the decompressors behind
//! `.ko.{xz,zst,gz}` and boot images, with an output cap small enough for
//! fuzzing (the cap's own logic is the same at any size).
#![no_main]

use kfuncdoc::btf::decompress;
use libfuzzer_sys::fuzz_target;

const CAP: u64 = 8 << 20;

fuzz_target!(|data: &[u8]| {
    if let Some(format) = decompress::detect(data) {
        if let Ok(out) = decompress::decompress_capped(data, format, 0, data.len() * 4, CAP) {
            assert!(out.len() as u64 <= CAP, "{} bytes over the cap", out.len());
        }
    }
    if decompress::is_bzimage(data)
        && let Ok(p) = decompress::bzimage_payload(data)
    {
        assert!(
            p.offset + p.len <= data.len(),
            "{p:?} outside {} bytes",
            data.len()
        );
        let stream = &data[p.offset..p.offset + p.len];
        let _ = decompress::decompress_capped(stream, p.format, p.offset, p.size_hint, CAP);
    }
});
