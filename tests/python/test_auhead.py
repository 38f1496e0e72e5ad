"""The Python bindings (python/auhead_module.cpp), run by CTest with Debian's python3: numpy in and out,
handles that load once, the GIL released while auhead works, Ctrl-C-style cancellation through the
progress callback, and auhead errors as auhead.Error with the CLI's exit code."""
import os
import sys
import tempfile
import threading
import unittest

import numpy as np

import auhead

EXAMPLES = os.path.join(os.environ["AUHEAD_SOURCE_DIR"], "examples")


class Bindings(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.audio = auhead.load_audio(os.path.join(EXAMPLES, "speech.wav"))
        cls.generator = auhead.AuGenerator(lipsync="fast")
        cls.renderer = auhead.Renderer(size=128)
        cls.portrait = auhead.Portrait.load(os.path.join(EXAMPLES, "portrait.jpg"))

    def test_audio_and_aus_are_numpy(self):
        self.assertEqual(self.audio.dtype, np.float32)
        self.assertGreater(self.audio.size, 16000)
        seq = self.generator.generate(self.audio[:32000], emotion="sad", fps=30, set=["jaw_drop=0.5"])
        self.assertEqual(seq.frames.shape, (60, 30))
        self.assertEqual(seq.emotion[0], "sad")
        self.assertTrue(np.allclose(seq.frames[:, auhead.AU_NAMES.index("jaw_drop")], 0.5))
        from_file = self.generator.generate(os.path.join(EXAMPLES, "speech.wav"), emotion="happy")
        back = auhead.AuSequence(from_file.frames, fps=from_file.fps, emotion="happy", emotion_intensity=0.7)
        self.assertEqual(len(back), len(from_file))

    def test_aus_read_from_a_face(self):
        self.assertRegex(auhead.__version__, r"^\d+\.\d+\.\d+$")
        seq = auhead.read_image_aus(os.path.join(EXAMPLES, "portrait.jpg"))
        self.assertEqual(seq.frames.shape, (1, 30))
        self.assertTrue(((seq.frames >= 0) & (seq.frames <= 1)).all())
        with self.assertRaises(auhead.Error) as e:
            auhead.read_video_aus(os.path.join(EXAMPLES, "speech.wav"))
        self.assertEqual(e.exception.code, 3)

    def test_render_to_arrays_and_files(self):
        seq = self.generator.generate(self.audio[:16000], emotion="happy")
        frames = self.renderer.render(seq, self.portrait, still=True)
        self.assertEqual(frames.shape, (25, 128, 128, 3))
        self.assertEqual(frames.dtype, np.uint8)
        again = self.renderer.render(seq, auhead.Portrait.from_array(self.portrait.array), still=True)
        self.assertTrue(np.array_equal(frames, again))
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "out.mp4")
            self.renderer.render_file(seq, self.portrait, output=out)
            self.assertGreater(os.path.getsize(out), 1000)

    def test_progress_and_cancellation(self):
        seq = self.generator.generate(self.audio[:16000])
        seen = []

        def stop_at_5(task, done, total):
            seen.append((task, done, total))
            if done == 5:
                raise KeyboardInterrupt

        with self.assertRaises(KeyboardInterrupt):
            self.renderer.render(seq, self.portrait, progress=stop_at_5)
        self.assertEqual(seen[-1][1], 5)
        self.assertEqual(seen[0][0], "rendering")

    def test_the_gil_is_released_while_rendering(self):
        seq = self.generator.generate(self.audio)
        ticks = [0]
        running = threading.Event()

        def count():
            while not running.is_set():
                ticks[0] += 1

        t = threading.Thread(target=count)
        t.start()
        try:
            self.renderer.render(seq, self.portrait)
        finally:
            running.set()
            t.join()
        self.assertGreater(ticks[0], 1000)

    def test_errors(self):
        with self.assertRaises(auhead.Error) as e:
            auhead.Portrait.load("/nonexistent/face.png")
        self.assertEqual(e.exception.code, 3)
        with self.assertRaises(auhead.Error) as e:
            auhead.Renderer(size=127)
        self.assertEqual(e.exception.code, 2)
        blank = auhead.Portrait.from_array(np.full((64, 64, 3), 128, np.uint8), "blank.png")
        with self.assertRaises(auhead.Error) as e:
            self.renderer.prepare(blank)  # no face
        self.assertEqual(e.exception.code, 3)
        self.assertIn("blank.png", str(e.exception))

    def test_stream(self):
        s = auhead.StreamSession(self.portrait, size=128, emotion="neutral")
        frames = []
        for i in range(0, 32000, 640):
            frames += s.push(self.audio[i:i + 640])
        s.set_emotion("happy", 1.0)
        frames += s.finish()
        self.assertEqual([f[0] for f in frames], list(range(50)))
        index, time, aus, image = frames[-1]
        self.assertEqual(aus.shape, (30,))
        self.assertEqual(image.shape, (128, 128, 3))
        # 8 kHz audio (every other sample) is resampled inside: 2 s give the same 50 frames.
        s8 = auhead.StreamSession(self.portrait, size=64, sample_rate=8000)
        frames8 = s8.push(self.audio[:32000:2]) + s8.finish()
        self.assertEqual(len(frames8), 50)


if __name__ == "__main__":
    unittest.main(verbosity=2)
