# Sanitizer and fuzzing builds (`make test-asan`, `make test-tsan`, `make fuzz`).
#
# FLOWWEAVER_SANITIZE compiles and links every target with the named sanitizers: the host, the
# plugins it dlopens and the tests. Plugins must match the host: TSan sees no happens-before
# edge made by code it did not instrument, and an instrumented plugin needs the runtime the
# host loads. GCC only: clang links sanitizer runtimes into executables alone, so a plugin
# (linked with --no-undefined) would not link.
set(FLOWWEAVER_SANITIZE "" CACHE STRING
  "Sanitizers for every target: address,undefined or thread (empty: none)")
set_property(CACHE FLOWWEAVER_SANITIZE PROPERTY STRINGS "" "address,undefined" "thread")

# FLOWWEAVER_FUZZ builds the libFuzzer targets under fuzz/ (clang only); see fuzz/CMakeLists.txt.
option(FLOWWEAVER_FUZZ "Build the libFuzzer targets under fuzz/ (needs clang)" OFF)

if(FLOWWEAVER_SANITIZE)
  if(NOT FLOWWEAVER_SANITIZE MATCHES "^(address|undefined|address,undefined|thread)$")
    message(FATAL_ERROR "FLOWWEAVER_SANITIZE='${FLOWWEAVER_SANITIZE}': use address,undefined "
                        "or thread")
  endif()
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    message(FATAL_ERROR "FLOWWEAVER_SANITIZE needs GCC: plugins link against the shared "
                        "sanitizer runtime, which clang does not link into shared libraries")
  endif()
  if(FLOWWEAVER_FUZZ)
    message(FATAL_ERROR "FLOWWEAVER_FUZZ brings its own sanitizers: leave FLOWWEAVER_SANITIZE empty")
  endif()
  set(_sanitize_flags -fsanitize=${FLOWWEAVER_SANITIZE} -fno-omit-frame-pointer)
  if(FLOWWEAVER_SANITIZE MATCHES "undefined")
    # A report then ends the process, so a test that triggers one fails.
    list(APPEND _sanitize_flags -fno-sanitize-recover=undefined)
  endif()
  add_compile_options(${_sanitize_flags})
  add_link_options(${_sanitize_flags})
  # GCC's manual warns that sanitizers raise the rate of false -Wmaybe-uninitialized reports;
  # GCC 12 gives them inside libstdc++'s <regex> (GCC bug 105562), which -Werror would fatalise.
  add_compile_options(-Wno-maybe-uninitialized)
  if(FLOWWEAVER_SANITIZE STREQUAL "thread")
    # Boost.Asio (under the HTTP server) orders handlers with std::atomic_thread_fence, which
    # TSan does not model; GCC 12 says so with -Wtsan, which -Werror would fatalise. The
    # handoffs between our threads go through Asio's mutex-guarded queue, which TSan does see.
    add_compile_options(-Wno-tsan)
  endif()
endif()

if(FLOWWEAVER_FUZZ AND NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "FLOWWEAVER_FUZZ needs clang (libFuzzer): configure with "
                      "CC=clang-14 CXX=clang++-14")
endif()
