//! Just enough of PNG and JPEG to embed an image at its natural size: the kind, the pixel
//! dimensions and the resolution. Anything else is refused with a message saying what to do.

/// The image formats every office suite displays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ImageKind {
    Png,
    Jpeg,
}

impl ImageKind {
    pub(crate) fn extension(self) -> &'static str {
        match self {
            ImageKind::Png => "png",
            ImageKind::Jpeg => "jpeg",
        }
    }
}

/// What the writers need to know about an image.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ImageInfo {
    pub kind: ImageKind,
    pub width: u32,
    pub height: u32,
    /// Dots per inch (96 when the file does not say).
    pub dpi_x: f64,
    pub dpi_y: f64,
}

/// EMUs per inch, the OOXML drawing unit.
pub(crate) const EMU_PER_INCH: f64 = 914_400.0;

impl ImageInfo {
    /// Natural size in EMUs, scaled down (keeping the aspect ratio) to fit `max_cx` × `max_cy`.
    pub(crate) fn fit_emu(&self, max_cx: i64, max_cy: i64) -> (i64, i64) {
        let cx = f64::from(self.width) / self.dpi_x * EMU_PER_INCH;
        let cy = f64::from(self.height) / self.dpi_y * EMU_PER_INCH;
        let scale = (max_cx as f64 / cx).min(max_cy as f64 / cy).min(1.0);
        ((cx * scale).round() as i64, (cy * scale).round() as i64)
    }
}

/// Identify PNG/JPEG bytes; the error says what the caller should do instead.
pub(crate) fn sniff(bytes: &[u8]) -> Result<ImageInfo, String> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return png_info(bytes);
    }
    if bytes.starts_with(&[0xFF, 0xD8]) {
        return jpeg_info(bytes);
    }
    let what = if bytes.starts_with(b"GIF8") {
        "a GIF"
    } else if bytes.starts_with(b"<svg") || bytes.starts_with(b"<?xml") {
        "an SVG"
    } else if bytes.starts_with(b"RIFF") {
        "a WebP"
    } else if bytes.is_empty() {
        "empty"
    } else {
        "not a PNG or JPEG image"
    };
    Err(format!(
        "the image is {what}; only PNG and JPEG can be embedded — convert it to PNG first (charts can be made with create_chart)"
    ))
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at + 4)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

fn be16(bytes: &[u8], at: usize) -> Option<u16> {
    let b = bytes.get(at..at + 2)?;
    Some(u16::from_be_bytes([b[0], b[1]]))
}

fn png_info(bytes: &[u8]) -> Result<ImageInfo, String> {
    let damaged = || "the PNG image is truncated or damaged; re-export it".to_string();
    if bytes.get(12..16) != Some(b"IHDR") {
        return Err(damaged());
    }
    let width = be32(bytes, 16).ok_or_else(damaged)?;
    let height = be32(bytes, 20).ok_or_else(damaged)?;
    let (mut dpi_x, mut dpi_y) = (96.0, 96.0);
    // Walk the chunks for pHYs (resolution); it comes before IDAT when present.
    let mut at = 8usize;
    while let (Some(len), Some(kind)) = (be32(bytes, at), bytes.get(at + 4..at + 8)) {
        if kind == b"IDAT" || kind == b"IEND" {
            break;
        }
        if kind == b"pHYs" && bytes.get(at + 16) == Some(&1) {
            // Unit 1 = pixels per metre.
            if let (Some(px), Some(py)) = (be32(bytes, at + 8), be32(bytes, at + 12))
                && px > 0
                && py > 0
            {
                // Rounded: 3780 px/m is meant as 96 dpi, not 96.012.
                dpi_x = (f64::from(px) * 0.0254).round();
                dpi_y = (f64::from(py) * 0.0254).round();
            }
        }
        at = at.saturating_add(12).saturating_add(len as usize);
    }
    finish(ImageKind::Png, width, height, dpi_x, dpi_y)
}

fn jpeg_info(bytes: &[u8]) -> Result<ImageInfo, String> {
    let damaged = || "the JPEG image is truncated or damaged; re-export it".to_string();
    let (mut dpi_x, mut dpi_y) = (96.0, 96.0);
    let mut at = 2usize;
    loop {
        // Skip fill bytes, then read the marker.
        while bytes.get(at) == Some(&0xFF) && bytes.get(at + 1) == Some(&0xFF) {
            at += 1;
        }
        if bytes.get(at) != Some(&0xFF) {
            return Err(damaged());
        }
        let marker = *bytes.get(at + 1).ok_or_else(damaged)?;
        let len = usize::from(be16(bytes, at + 2).ok_or_else(damaged)?);
        let seg = at + 4;
        match marker {
            // APP0 JFIF: density units 1 = dpi, 2 = dots per cm.
            0xE0 if bytes.get(seg..seg + 5) == Some(b"JFIF\0") => {
                let units = bytes.get(seg + 7).copied().unwrap_or(0);
                let (dx, dy) = (be16(bytes, seg + 8), be16(bytes, seg + 10));
                if let (Some(dx), Some(dy)) = (dx, dy)
                    && dx > 1
                    && dy > 1
                {
                    let f = if units == 2 { 2.54 } else { 1.0 };
                    if units == 1 || units == 2 {
                        dpi_x = f64::from(dx) * f;
                        dpi_y = f64::from(dy) * f;
                    }
                }
            }
            // Start-of-frame markers (not DHT 0xC4, JPG 0xC8, DAC 0xCC) carry the size.
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                let height = u32::from(be16(bytes, seg + 1).ok_or_else(damaged)?);
                let width = u32::from(be16(bytes, seg + 3).ok_or_else(damaged)?);
                return finish(ImageKind::Jpeg, width, height, dpi_x, dpi_y);
            }
            0xD9 | 0xDA => return Err(damaged()),
            _ => {}
        }
        if len < 2 {
            return Err(damaged());
        }
        at = at.saturating_add(2).saturating_add(len);
    }
}

fn finish(
    kind: ImageKind,
    width: u32,
    height: u32,
    dpi_x: f64,
    dpi_y: f64,
) -> Result<ImageInfo, String> {
    if width == 0 || height == 0 {
        return Err("the image has zero width or height; re-export it".into());
    }
    Ok(ImageInfo {
        kind,
        width,
        height,
        dpi_x,
        dpi_y,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_png_size_and_refuses_others() {
        let png = crate::png::encode_rgb(3, 2, &[0u8; 18]);
        let info = sniff(&png).unwrap();
        assert_eq!((info.kind, info.width, info.height), (ImageKind::Png, 3, 2));
        // 96 dpi → 9525 EMU per pixel.
        assert_eq!(info.fit_emu(i64::MAX, i64::MAX), (28_575, 19_050));
        assert!(sniff(b"GIF89a....").unwrap_err().contains("GIF"));
        assert!(sniff(b"\x89PNG\r\n\x1a\n").is_err());
        assert!(sniff(&[0xFF, 0xD8, 0xFF]).is_err());
    }

    #[test]
    fn reads_jpeg_sof() {
        // SOI, APP0 JFIF 72 dpi, SOF0 with height 40 width 80.
        let mut j = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 16];
        j.extend_from_slice(b"JFIF\0\x01\x01\x01\0\x48\0\x48\0\0");
        j.extend_from_slice(&[0xFF, 0xC0, 0, 17, 8, 0, 40, 0, 80, 3]);
        j.extend_from_slice(&[0; 9]);
        let info = sniff(&j).unwrap();
        assert_eq!(
            (info.kind, info.width, info.height),
            (ImageKind::Jpeg, 80, 40)
        );
        assert_eq!(info.dpi_x, 72.0);
    }
}
