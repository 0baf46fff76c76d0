"""Cấu hình nbgrader: thư mục quizzes/ là thư mục khóa học (course root).

Chạy mọi lệnh nbgrader từ thư mục này (`cd quizzes`), để nbgrader đọc tệp cấu hình này.
Các thư mục release/, submitted/, autograded/, feedback/, downloaded/ và gradebook.db do
nbgrader tạo ra, chứa bài làm và điểm của học viên: chúng không được đưa vào git.
"""

import os

c = get_config()  # noqa: F821 - provided by nbgrader when it reads this file

HERE = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.root = HERE
c.CourseDirectory.course_id = "quyen-con-nguoi"

# The answer cell keeps `cau_N = ""` above its solution region; the region itself (the key)
# is replaced by nothing instead of nbgrader's "raise NotImplementedError()".
c.ClearSolutions.code_stub = {"python": ""}

# A trainee's answer cell that loops forever must not hold up a whole class.
c.Execute.timeout = 30

# Feedback: nbgrader shows test cells as they were graded, hidden tests included, which would
# print the key. ClearHiddenTests removes them, and the Vietnamese template (templates/phan-hoi)
# shows only the result of each test cell.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
c.HTMLExporter.template_name = "phan-hoi"
c.HTMLExporter.extra_template_basedirs = [os.path.join(HERE, "templates")]

# Classroom hand-in (nbgrader zip_collect): trainees' files, or .zip archives of them, go into
# downloaded/<tên bài>/archive/, each named <mã cán bộ>_<tên bài>.ipynb, for example
# CB0001_kiem-tra-cuoi-khoa.ipynb. A browser's " (1)" copy suffix is tolerated; files whose
# name does not fit are skipped with a warning instead of being graded under a wrong name.
c.FileNameCollectorPlugin.named_regexp = (
    r"^.*/(?P<student_id>[^/]+)_(?P<file_id>[a-z0-9-]+)(?: ?\(\d+\))?\.ipynb$"
)
c.ZipCollectApp.strict = True
