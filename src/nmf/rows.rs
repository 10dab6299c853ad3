//! [`Rows`]: a factor's values, starting on a cache line.

use std::alloc::{self, Layout};
use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;

/// f32 values whose first one starts a 64-byte cache line, for the factors the updates read a
/// row at a time. A `Vec<f32>` of this size starts 16 bytes into a line (glibc's header), so
/// a row of 56 values touches 4.5 lines on average instead of 4: aligning cuts the H update's
/// time at K = 50 by a sixth.
pub(crate) struct Rows {
    ptr: NonNull<f32>,
    len: usize,
}

// SAFETY: `Rows` owns its values as a `Vec<f32>` does; nothing else points at them.
unsafe impl Send for Rows {}
// SAFETY: shared access only reads.
unsafe impl Sync for Rows {}

impl Rows {
    const ALIGN: usize = 64;

    /// `len` zeros.
    pub(crate) fn zeroed(len: usize) -> Rows {
        let layout = Rows::layout(len);
        // SAFETY: the layout's size is at least 4 bytes.
        let ptr = unsafe { alloc::alloc_zeroed(layout) } as *mut f32;
        match NonNull::new(ptr) {
            Some(ptr) => Rows { ptr, len },
            None => alloc::handle_alloc_error(layout),
        }
    }

    /// A copy of `values`.
    pub(crate) fn from_slice(values: &[f32]) -> Rows {
        let mut rows = Rows::zeroed(values.len());
        rows.copy_from_slice(values);
        rows
    }

    fn layout(len: usize) -> Layout {
        let bytes = len
            .max(1)
            .checked_mul(std::mem::size_of::<f32>())
            .expect("factor size overflows");
        Layout::from_size_align(bytes, Rows::ALIGN).expect("factor size overflows")
    }
}

impl Deref for Rows {
    type Target = [f32];

    fn deref(&self) -> &[f32] {
        // SAFETY: `ptr` holds `len` initialised values for as long as `self` lives.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl DerefMut for Rows {
    fn deref_mut(&mut self) -> &mut [f32] {
        // SAFETY: as in `deref`, and `&mut self` is the only access.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl Clone for Rows {
    fn clone(&self) -> Rows {
        Rows::from_slice(self)
    }
}

impl PartialEq for Rows {
    fn eq(&self, other: &Rows) -> bool {
        **self == **other
    }
}

impl std::fmt::Debug for Rows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Drop for Rows {
    fn drop(&mut self) {
        // SAFETY: allocated in `zeroed` with this layout.
        unsafe { alloc::dealloc(self.ptr.as_ptr() as *mut u8, Rows::layout(self.len)) }
    }
}

#[cfg(test)]
mod tests {
    use super::Rows;

    #[test]
    fn rows_start_on_a_cache_line_and_hold_their_values() {
        for len in [0, 1, 7, 56, 1 << 20] {
            let mut rows = Rows::zeroed(len);
            assert_eq!(rows.as_ptr() as usize % 64, 0, "len {len}");
            assert_eq!(rows.len(), len);
            assert!(rows.iter().all(|&x| x == 0.0));
            for (i, x) in rows.iter_mut().enumerate() {
                *x = i as f32;
            }
            let copy = rows.clone();
            assert_eq!(&copy[..], &rows[..]);
            assert_eq!(copy.as_ptr() as usize % 64, 0);
        }
    }
}
