# Included by tests/CMakeLists.txt: the adapter tests (tests/test_loop_*.c)
# link the adapters too, and kqueue.c is compile-checked on any system
# against a minimal <sys/event.h> (tests/support/sys/event.h).
find_package(Threads REQUIRED)
foreach(src ${H2E_TESTS})
  get_filename_component(name ${src} NAME_WE)
  if(name MATCHES "^test_loop_")
    target_link_libraries(${name} PRIVATE h2e_loop_static Threads::Threads)
    target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/lib/loop)
    target_compile_definitions(${name} PRIVATE H2E_LOOP_TLS=${H2E_LOOP_TLS}
      _DEFAULT_SOURCE)
    set_tests_properties(${name} PROPERTIES TIMEOUT 120)
  endif()
endforeach()

add_library(h2e_loop_kqueue_check OBJECT
  ${PROJECT_SOURCE_DIR}/lib/loop/kqueue.c)
target_include_directories(h2e_loop_kqueue_check BEFORE PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/support ${PROJECT_SOURCE_DIR}/include
  ${PROJECT_SOURCE_DIR}/lib/loop)
target_compile_options(h2e_loop_kqueue_check PRIVATE
  -Wconversion -Wsign-conversion)
add_test(NAME loop_kqueue_compiles
  COMMAND ${CMAKE_COMMAND} --build ${CMAKE_BINARY_DIR}
          --target h2e_loop_kqueue_check)

# The libuv example (examples/h2e-uv-server.c) against curl.
find_program(CURL_PROGRAM curl)
if(TARGET h2e-uv-server AND CURL_PROGRAM)
  add_test(NAME loop_uv_example
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/test_loop_uv.sh
            $<TARGET_FILE:h2e-uv-server> ${H2E_LOOP_TLS})
  set_tests_properties(loop_uv_example PROPERTIES TIMEOUT 60)
endif()
