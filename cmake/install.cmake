# Install like a library (issue #15): `cmake --install build [--prefix P]` puts the public headers,
# libauhead.a, the `auhead` command, data/ and models/ (when fetched) and a CMake package config plus
# a pkg-config file under the prefix. The code finds data and models beside the installed program
# (<bin>/../share/auhead) or under the configured prefix (src/core/data_path.h).
include(CMakePackageConfigHelpers)

install(TARGETS auhead_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS auhead EXPORT auheadTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/include/auhead DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/data/ DESTINATION ${CMAKE_INSTALL_DATADIR}/auhead/data)
# The models come from scripts/setup.sh (npm packages); without them only the model-free parts run.
install(DIRECTORY ${CMAKE_SOURCE_DIR}/models/ DESTINATION ${CMAKE_INSTALL_DATADIR}/auhead/models OPTIONAL)

set(AUHEAD_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/auhead)
install(EXPORT auheadTargets NAMESPACE auhead:: DESTINATION ${AUHEAD_CMAKE_DIR})
# The dependencies the exported archive names, for the consumer's configure step.
set(AUHEAD_PKG_MODULES_FFMPEG "libavformat libavcodec libavutil libswresample libswscale")
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/auheadConfig.cmake.in
                              ${CMAKE_BINARY_DIR}/generated/auheadConfig.cmake INSTALL_DESTINATION ${AUHEAD_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_BINARY_DIR}/generated/auheadConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/generated/auheadConfig.cmake ${CMAKE_BINARY_DIR}/generated/auheadConfigVersion.cmake
        DESTINATION ${AUHEAD_CMAKE_DIR})

# pkg-config: a static archive, so its dependencies are listed for linking (libtorch has no .pc file:
# its libraries are named from the folder CMake found it in).
set(AUHEAD_PC_TORCH_LIBS "-L${TORCH_INSTALL_PREFIX}/lib -ltorch -ltorch_cpu -lc10")
set(AUHEAD_PC_REQUIRES "opencv4 libavformat libavcodec libavutil libswresample libswscale icu-uc flatbuffers")
if(POCKETSPHINX_FOUND)
  string(APPEND AUHEAD_PC_REQUIRES " pocketsphinx")
endif()
configure_file(${CMAKE_SOURCE_DIR}/cmake/auhead.pc.in ${CMAKE_BINARY_DIR}/generated/auhead.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/generated/auhead.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

if(AUHEAD_BUILD_TESTS)
  # Installs into a temporary prefix, then builds and runs tests/install/consumer against it through
  # the CMake package and through pkg-config.
  add_test(NAME InstallAndConsume
           COMMAND bash ${CMAKE_SOURCE_DIR}/tests/install/install_and_consume.sh ${CMAKE_BINARY_DIR} ${CMAKE_SOURCE_DIR})
  set_tests_properties(InstallAndConsume PROPERTIES TIMEOUT 900)
endif()
