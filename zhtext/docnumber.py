"""The number a Chinese official document is issued under (发文字号): 吉民议字〔2023〕27号."""

from __future__ import annotations

import re

DOC_NUMBER = re.compile(r"[\u4e00-\u9fffA-Za-z]{1,12}[〔\[［(（]\d{4}[〕\]］)）]\s*第?\d+\s*号")
