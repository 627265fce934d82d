package io.qbridge.converter.quantize;

import io.qbridge.DataType;
import io.qbridge.QuantParams;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Scale and zero point from ranges, as TFLite's ChooseQuantizationParams (quantization_util.h). */
class AffineParamsTest {

    @Test
    void reluRangeMapsZeroToTheLowestValue() {
        QuantParams u = AffineParams.fromRange(new Range(0f, 6f), DataType.UINT8);
        assertEquals(6f / 255, u.scale(), 1e-9f);
        assertEquals(0, u.zeroPoint());
        QuantParams s = AffineParams.fromRange(new Range(0f, 6f), DataType.INT8);
        assertEquals(-128, s.zeroPoint());
    }

    @Test
    void rangeIsWidenedToContainZero() {
        QuantParams p = AffineParams.fromRange(new Range(2f, 4f), DataType.UINT8);
        assertEquals(4f / 255, p.scale(), 1e-9f);
        assertEquals(0, p.zeroPoint());
        QuantParams n = AffineParams.fromRange(new Range(-4f, -2f), DataType.UINT8);
        assertEquals(255, n.zeroPoint());
    }

    @Test
    void symmetricRangeRoundsTheHalfZeroPointAwayFromZero() {
        // zero point from min: -128 + 1 / (2/255) = -0.5; std::round(-0.5) = -1
        QuantParams p = AffineParams.fromRange(new Range(-1f, 1f), DataType.INT8);
        assertEquals(2f / 255, p.scale(), 1e-9f);
        assertEquals(-1, p.zeroPoint());
    }

    @Test
    void allZeroTensorGetsAUsableScale() {
        QuantParams p = AffineParams.fromRange(new Range(0f, 0f), DataType.INT8);
        assertEquals(1f / 255, p.scale(), 1e-9f);
        assertEquals(-128, p.zeroPoint());
    }

    @Test
    void meanAndStdAreTfliteConvertsInputMapping() {
        QuantParams u = AffineParams.fromMeanStd(127.5f, 127.5f, DataType.UINT8);
        assertEquals(1f / 127.5f, u.scale(), 1e-9f);
        assertEquals(128, u.zeroPoint());
        assertEquals(0, AffineParams.fromMeanStd(127.5f, 127.5f, DataType.INT8).zeroPoint());
        assertEquals(-128, AffineParams.fromMeanStd(0f, 255f, DataType.INT8).zeroPoint());
    }

    @Test
    void fakeQuantNarrowRangeStartsTheGridAtOne() {
        QuantParams p = AffineParams.fromFakeQuant(-1f, 1f, true, DataType.UINT8);
        assertEquals(2f / 254, p.scale(), 1e-9f);
        assertEquals(128, p.zeroPoint());   // 1 + 1 / (2/254) = 128
    }
}
