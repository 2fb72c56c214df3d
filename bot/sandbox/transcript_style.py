"""The look of the HTML transcript: Discord's dark theme, readable on screen and on paper."""

CSS = """
*{box-sizing:border-box}
html{background:#313338;-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{margin:0;color:#dbdee1;font:15px/1.4 "gg sans","Noto Sans","Helvetica Neue",Arial,
  "Noto Color Emoji",sans-serif}
main{max-width:880px;margin:0 auto;padding:24px 20px 48px}
header{border-bottom:1px solid #3f4147;padding-bottom:14px;margin-bottom:8px}
h1{color:#f2f3f5;font-size:24px;margin:0 0 6px}
header p{margin:4px 0;color:#b5bac1}
.legend .pill{margin-right:6px}
nav{margin-top:12px;background:#2b2d31;border-radius:8px;padding:10px 16px}
nav h2{font-size:13px;text-transform:uppercase;color:#b5bac1;margin:0 0 6px}
nav ol{margin:0;padding-left:22px;columns:2;column-gap:32px;font-size:14px}
a{color:#00a8fc;text-decoration:none}
.divider{display:flex;align-items:center;gap:10px;margin:30px 0 10px;color:#f2f3f5;
  font-size:13px;font-weight:700;text-transform:uppercase;letter-spacing:.02em}
.divider::before,.divider::after{content:"";flex:1;border-top:1px solid #4e5058}
.note{color:#949ba4;font-style:italic;margin:8px 0 8px 56px;font-size:14px}
.note::before{content:"✦ ";font-style:normal;color:#6d6f78}
.act{display:flex;align-items:flex-start;gap:10px;margin:16px 0 2px}
.act .avatar{flex:none;width:24px;height:24px;font-size:12px;margin:0 0 0 16px}
.act .name{color:#f2f3f5}
.what{color:#b5bac1;flex:1;line-height:24px}
.cmd{color:#c9cdfb;background:rgba(88,101,242,.3);border-radius:4px;padding:0 4px;
  font-weight:600}
.opt{display:inline-block;background:#2b2d31;border:1px solid #3f4147;border-radius:4px;
  padding:0 6px;margin:2px 0 2px 6px;font-size:13px;color:#dbdee1}
.opt b{color:#949ba4;font-weight:600;margin-right:2px}
.aside{color:#949ba4;margin-left:6px;font-style:italic}
.msg{display:grid;grid-template-columns:56px 1fr;padding:4px 0 6px;margin:2px -8px;
  border-radius:6px;padding-right:8px}
.msg:hover{background:#2e3035}
.msg.private{background:rgba(88,101,242,.08)}
.msg .where,.formwrap .where{grid-column:1/-1;margin:4px 0 2px 56px}
.pill{display:inline-block;vertical-align:middle;font-size:12px;border-radius:10px;
  padding:1px 8px;margin-right:4px;
  background:#2b2d31;color:#b5bac1;border:1px solid #3f4147}
.pill.dm{background:#3b2f4d;color:#e0c8ff;border-color:#5d4780}
.pill.private{background:#24305a;color:#c9d4ff;border-color:#3d4f8f}
.pill.update{background:#2f3b2f;color:#c4e6c4;border-color:#486648}
.avatar{width:40px;height:40px;border-radius:50%;display:flex;align-items:center;
  justify-content:center;color:#fff;font-weight:700;margin:2px 0 0 8px}
.avatar.bot{background:#5865f2;font-size:14px;letter-spacing:.03em}
.head{display:flex;align-items:baseline;gap:6px}
.name{color:#f2f3f5;font-weight:600}
.name.bot{color:#c9cdfb}
.tag{background:#5865f2;color:#fff;font-size:10px;font-weight:700;border-radius:3px;
  padding:1px 4px;position:relative;top:-1px}
.at,.edited{color:#949ba4;font-size:12px}
.content{margin:2px 0;overflow-wrap:anywhere}
.content ul,.content ol,.e-desc ul,.e-desc ol,.e-value ul,.e-value ol{margin:2px 0;
  padding-left:22px}
strong{color:#f2f3f5}
code{background:#2b2d31;border:1px solid #1e1f22;border-radius:4px;padding:0 3px;
  font:13px Consolas,"Liberation Mono",monospace}
pre{background:#2b2d31;border:1px solid #1e1f22;border-radius:4px;padding:8px;
  white-space:pre-wrap;margin:4px 0}
pre code{border:0;padding:0}
blockquote{margin:2px 0;padding:0 0 0 10px;border-left:4px solid #4e5058}
h3,h4,h5{margin:6px 0 2px;color:#f2f3f5}
h3{font-size:20px}h4{font-size:17px}h5{font-size:15px}
small.sub{color:#949ba4;font-size:12px}
.mention{background:rgba(88,101,242,.3);color:#c9cdfb;border-radius:3px;padding:0 2px;
  font-weight:500}
.stamp{background:rgba(255,255,255,.06);border-radius:3px;padding:0 2px}
.spoiler{background:#1e1f22;color:#1e1f22;border-radius:3px}
.embed{position:relative;max-width:520px;background:#2b2d31;border-left:4px solid #1e1f22;
  border-radius:4px;padding:8px 16px 12px 12px;margin:6px 0 2px;overflow:hidden}
.e-author{font-size:13px;font-weight:600;color:#f2f3f5;margin-top:4px}
.e-title{font-weight:700;color:#f2f3f5;margin-top:6px;font-size:16px}
.e-desc{margin-top:6px;font-size:14px}
.e-fields{display:grid;grid-template-columns:repeat(12,1fr);gap:8px 12px;margin-top:8px}
.e-field{font-size:14px}
.e-name{font-weight:700;color:#f2f3f5;margin-bottom:1px}
.e-image{display:block;max-width:100%;border-radius:4px;margin-top:12px;background:#fff}
.e-thumb{float:right;max-width:80px;border-radius:4px;margin:8px 0 0 12px}
.e-foot{font-size:12px;color:#b5bac1;margin-top:8px}
.picture{display:block;max-width:440px;max-height:360px;border-radius:6px;margin:6px 0;
  background:#fff}
.file{display:flex;align-items:center;gap:10px;max-width:400px;background:#2b2d31;
  border:1px solid #1e1f22;border-radius:8px;padding:10px 12px;margin:6px 0;color:#00a8fc}
.file small{display:block;color:#949ba4;font-size:12px}
.fileicon{display:flex}
.row{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0 2px}
.btn{display:inline-flex;align-items:center;min-height:32px;padding:2px 16px;border-radius:4px;
  font-size:14px;font-weight:500;color:#fff;background:#4e5058;cursor:default;user-select:none}
.btn.primary{background:#5865f2}.btn.success{background:#248046}
.btn.danger{background:#da373c}.btn.link,.btn.secondary{background:#4e5058}
.btn.premium{background:#a35ed6}
.btn.disabled,.select.disabled{opacity:.45;cursor:not-allowed}
.select{display:inline-flex;justify-content:space-between;align-items:center;width:100%;
  max-width:400px;min-height:40px;padding:6px 10px;border-radius:4px;background:#1e1f22;
  border:1px solid #1e1f22;color:#949ba4;font-size:14px}
.select.chosen{color:#dbdee1}
.chev{font-size:18px;margin-left:8px}
.container{border:1px solid #3f4147;border-radius:8px;padding:8px 12px;margin:6px 0;
  max-width:520px;background:#2b2d31}
.sep{border:0;border-top:1px solid #3f4147}
.eph{font-size:12px;color:#949ba4;margin-top:4px}
.eph u{color:#00a8fc;text-decoration:none}
.formwrap{margin:6px 0 6px 0}
.form{margin-left:56px;max-width:440px;background:#313338;border:1px solid #4e5058;
  border-radius:8px;padding:14px 16px;box-shadow:0 4px 14px rgba(0,0,0,.35)}
.form h3{font-size:18px;margin:0 0 10px}
.form label{display:block;font-size:12px;font-weight:700;text-transform:uppercase;
  color:#b5bac1;margin:8px 0}
.input{display:block;margin-top:4px;min-height:36px;background:#1e1f22;border-radius:4px;
  padding:8px;font-size:14px;font-weight:400;text-transform:none;color:#6d6f78}
.input.long{min-height:64px}
.input.typed{color:#dbdee1;min-height:0;white-space:pre-wrap}
.formbtns{display:flex;justify-content:flex-end;gap:8px;margin-top:12px}
footer{margin-top:30px;border-top:1px solid #3f4147;padding-top:10px;color:#949ba4;
  font-size:13px}
@media print{.msg:hover{background:none}main{max-width:none}}
"""
