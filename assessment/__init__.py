"""Công cụ cho khóa học truyền thông về quyền con người.

Gói ``assessment`` chứa ngân hàng câu hỏi, sinh bài kiểm tra nbgrader và thống kê kết quả
tập huấn theo chỉ tiêu của kế hoạch. Chạy ``assessment --help`` để xem các lệnh.
"""

__version__ = "0.1.0"
