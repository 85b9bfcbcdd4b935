{
  # The addon glue both builds compile with g++ (the GPU addon and the emulator), relative to this
  # file: gyp rebases a "_files" variable's paths onto the file that includes it.
  "variables": {
    "napi_defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
    "cuda_glue_files": [
      "native/addon.cc",
      "native/allocator.cc",
      "native/elementwise_bindings.cc",
      "native/copy_bindings.cc",
      "native/reduce_bindings.cc",
      "native/matmul_bindings.cc",
      "native/conv_bindings.cc",
      "native/pool_bindings.cc",
      "native/norm_bindings.cc",
      "native/depthwise_bindings.cc"
    ]
  }
}
