package io.qbridge.armnn.presets;

import org.bytedeco.javacpp.annotation.Platform;
import org.bytedeco.javacpp.annotation.Properties;
import org.bytedeco.javacpp.tools.Info;
import org.bytedeco.javacpp.tools.InfoMap;
import org.bytedeco.javacpp.tools.InfoMapper;

/**
 * The javacpp preset for the part of Arm NN 20.08 that qbridge uses, through the façade in
 * {@code src/main/cpp/qbridge_armnn.h} (whose definitions are compiled into the same JNI library).
 * javacpp's parse goal turns the header into {@code src/gen/java/io/qbridge/armnn/bindings}; its
 * build goal compiles {@code libjniarmnn.so} against Debian's libarmnn22 and libarmnntfliteparser22.
 */
@Properties(
        target = "io.qbridge.armnn.bindings",
        global = "io.qbridge.armnn.bindings.global.armnn",
        value = @Platform(
                value = "linux",
                compiler = "cpp14",
                include = "qbridge_armnn.h",
                define = "QBRIDGE_ARMNN_IMPLEMENTATION",
                link = {"armnn@.22", "armnnTfLiteParser@.22", "dl"}))
public class armnn implements InfoMapper {
    @Override
    public void map(InfoMap infoMap) {
        infoMap.put(new Info("std::size_t", "size_t").cast().valueTypes("long"));
        infoMap.put(new Info("QBRIDGE_ARMNN_IMPLEMENTATION").define(false));
        // Messages and names come back as Java Strings (UTF-8), not BytePointers.
        infoMap.put(new Info("std::string").annotations("@StdString").valueTypes("String").pointerTypes("BytePointer"));
    }
}
