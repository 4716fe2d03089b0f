# install() rules and the exported CMake package:
#   find_package(rill CONFIG REQUIRED)
#   target_link_libraries(app PRIVATE rill::rill)
include(CMakePackageConfigHelpers)

install(DIRECTORY include/rill DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS ${RILL_LAYER_TARGETS} rill
        EXPORT rillTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT rillTargets NAMESPACE rill::
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/rill)

configure_package_config_file(cmake/rillConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/rillConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/rill)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/rillConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/rillConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/rillConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/rill)
