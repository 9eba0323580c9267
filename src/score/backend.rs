//! Which burn device does the work. Devices are always built explicitly: with several
//! backends compiled in, `Device::default()` would pick wgpu.

use crate::Error;
use burn::tensor::{Device, Tensor};

/// A compute backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// burn-flex: pure-Rust CPU; the default CPU backend natively and in the browser.
    Flex,
    /// burn-ndarray: pure-Rust CPU (native; in the browser only for benchmarks).
    NdArray,
    /// burn-wgpu: WebGPU in the browser, Vulkan natively.
    Wgpu,
}

impl Backend {
    /// The CPU backend measured fastest for the default model, natively (flex 1.28x
    /// ndarray) and in headless Chromium with SIMD128 (flex 1.26x ndarray): see the README.
    pub const DEFAULT_CPU: Backend = Backend::Flex;

    pub fn parse(name: &str) -> Result<Self, Error> {
        let b = match name {
            "flex" => Backend::Flex,
            "ndarray" => Backend::NdArray,
            "wgpu" | "webgpu" => Backend::Wgpu,
            other => {
                return Err(Error::invalid(format!(
                    "unknown backend '{other}'; supported: {}",
                    Self::available()
                        .iter()
                        .map(|b| b.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        };
        if !Self::available().contains(&b) {
            return Err(Error::invalid(format!(
                "backend '{name}' is not built into this target"
            )));
        }
        Ok(b)
    }

    pub fn name(&self) -> &'static str {
        match self {
            Backend::Flex => "flex",
            Backend::NdArray => "ndarray",
            Backend::Wgpu => "wgpu",
        }
    }

    pub fn available() -> &'static [Backend] {
        #[cfg(any(not(target_arch = "wasm32"), feature = "browser-ndarray"))]
        {
            &[Backend::Flex, Backend::NdArray, Backend::Wgpu]
        }
        #[cfg(all(target_arch = "wasm32", not(feature = "browser-ndarray")))]
        {
            &[Backend::Flex, Backend::Wgpu]
        }
    }

    fn check_built(&self) -> Result<(), Error> {
        if Self::available().contains(self) {
            Ok(())
        } else {
            Err(Error::invalid(format!(
                "backend '{}' is not built into this target",
                self.name()
            )))
        }
    }

    /// A CPU device for this backend; `None` for wgpu, which needs initialising.
    pub fn cpu_device(&self) -> Option<Device> {
        match self {
            Backend::Flex => Some(Device::flex()),
            #[cfg(any(not(target_arch = "wasm32"), feature = "browser-ndarray"))]
            #[allow(deprecated)] // kept selectable natively: the product names it
            Backend::NdArray => Some(Device::ndarray()),
            _ => None,
        }
    }

    /// Initialises the device natively (wgpu: Vulkan or another native API).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn device(&self) -> Result<Device, Error> {
        self.check_built()?;
        if let Some(d) = self.cpu_device() {
            return Ok(d);
        }
        static WGPU: std::sync::OnceLock<Result<Device, String>> = std::sync::OnceLock::new();
        WGPU.get_or_init(|| {
            // wgpu may panic inside adapter discovery on machines without a usable driver.
            std::panic::catch_unwind(|| Device::wgpu_options().init().map_err(|e| e.to_string()))
                .unwrap_or_else(|_| Err("wgpu panicked while looking for an adapter".into()))
        })
        .clone()
        .map_err(|e| Error::device(format!("no wgpu adapter: {e}")))
    }

    /// Initialises the device in the browser: WebGPU is asynchronous and may be absent.
    #[cfg(target_arch = "wasm32")]
    pub async fn device_async(&self) -> Result<Device, Error> {
        self.check_built()?;
        if let Some(d) = self.cpu_device() {
            return Ok(d);
        }
        Device::wgpu_options()
            .init_async()
            .await
            .map_err(|e| Error::device(format!("no WebGPU adapter: {e}")))
    }
}

/// Reads a tensor back to the host as `f32`s, synchronously. Works on every CPU
/// backend; WebGPU in a browser allows no synchronous reads and gets an error.
pub fn read_f32<const D: usize>(t: Tensor<D>) -> Result<Vec<f32>, Error> {
    let data = t
        .try_into_data()
        .map_err(|e| Error::device(format!("reading a tensor failed: {e:?}")))?;
    data.try_into_vec::<f32>()
        .map_err(|e| Error::device(format!("reading a tensor failed: {e:?}")))
}

/// Reads a tensor back to the host as `f32`s, asynchronously (any device).
pub async fn read_f32_async<const D: usize>(t: Tensor<D>) -> Result<Vec<f32>, Error> {
    let data = t
        .into_data_async()
        .await
        .map_err(|e| Error::device(format!("reading a tensor failed: {e:?}")))?;
    data.try_into_vec::<f32>()
        .map_err(|e| Error::device(format!("reading a tensor failed: {e:?}")))
}
