//! Which burn device does the work. Devices are always built explicitly: with several
//! backends compiled in, `Device::default()` would pick wgpu.

use crate::Error;
use burn::tensor::Device;

/// A compute backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// burn-flex: pure-Rust CPU (native only).
    Flex,
    /// burn-ndarray: pure-Rust CPU; the browser's CPU backend.
    NdArray,
    /// burn-wgpu: WebGPU in the browser, Vulkan natively.
    Wgpu,
}

impl Backend {
    /// The CPU backend measured fastest for the default model on this target.
    #[cfg(not(target_arch = "wasm32"))]
    pub const DEFAULT_CPU: Backend = Backend::Flex;
    #[cfg(target_arch = "wasm32")]
    pub const DEFAULT_CPU: Backend = Backend::NdArray;

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
        #[cfg(not(target_arch = "wasm32"))]
        {
            &[Backend::Flex, Backend::NdArray, Backend::Wgpu]
        }
        #[cfg(target_arch = "wasm32")]
        {
            &[Backend::NdArray, Backend::Wgpu]
        }
    }

    /// A CPU device for this backend; `None` for wgpu, which needs initialising.
    pub fn cpu_device(&self) -> Option<Device> {
        match self {
            #[cfg(not(target_arch = "wasm32"))]
            Backend::Flex => Some(Device::flex()),
            #[allow(deprecated)] // burn-ndarray is the browser's fastest CPU backend
            Backend::NdArray => Some(Device::ndarray()),
            _ => None,
        }
    }

    /// Initialises the device natively (wgpu: Vulkan or another native API).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn device(&self) -> Result<Device, Error> {
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
        if let Some(d) = self.cpu_device() {
            return Ok(d);
        }
        Device::wgpu_options()
            .init_async()
            .await
            .map_err(|e| Error::device(format!("no WebGPU adapter: {e}")))
    }
}
