"""The tiny real project the tests build banks, stand-in images and run dirs from."""

TINY_FILES = {
    "pyproject.toml": '[project]\nname = "calc"\nversion = "0.1"\n\n'
                      '[tool.pytest.ini_options]\ntestpaths = ["tests"]\n',
    "calc/__init__.py": '"""A tiny calculator."""\n',
    "calc/ops/__init__.py": "",
    "calc/ops/arith.py": (
        '"""Arithmetic."""\n\n\ndef add(a: int, b: int) -> int:\n    return a + b\n\n\n'
        'def sub(a: int, b: int) -> int:\n    return a - b\n\n\n'
        'def clamp(x: int, low: int, high: int) -> int:\n    if x < low:\n        return low\n'
        '    if x > high:\n        return high\n    return x\n'),
    "calc/text/__init__.py": "",
    "calc/text/fmt.py": (
        '"""Formatting."""\n\n\ndef pad(text: str, width: int) -> str:\n'
        '    return text.rjust(width)\n'),
    "tests/test_arith.py": (
        "from calc.ops.arith import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"),
    "tests/test_fmt.py": (
        "from calc.text.fmt import pad\n\n\ndef test_pad_keeps_long_text():\n"
        "    assert pad('abcdef', 3) == 'abcdef'\n"),
}
