{
  "targets": [
    {
      "target_name": "convkit_native",
      "sources": [
        "native/addon.cc",
        "native/conv.cc",
        "native/matmul.cc",
        "native/pool.cc",
        "native/norm.cc",
        "native/elementwise.cc",
        "native/reduce.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-O2"],
      "cflags_cc": ["-std=c++17", "-O3", "-fopenmp", "-fvisibility=hidden"],
      "libraries": ["-ldnnl", "-fopenmp"]
    }
  ]
}
