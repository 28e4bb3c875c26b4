/* Streamlit's own English in Chinese (loaded once per page by app_pages/parts/zh_ui.py).

   Streamlit 1.67 has no locale: its frontend writes fixed English into the page (the "Page not found"
   dialog, a selectbox's "Choose an option" and "No results", the table toolbar's tooltips, the
   status widget's "Running..."). A MutationObserver on the document puts each such text, or title,
   aria-label, placeholder or alt attribute, in Chinese the moment React writes it, matched whole
   (trimmed) against TEXTS or one of PATTERNS: a word inside a longer text is never touched, nor
   icon ligatures, code, inputs or the map's frames (other documents). Installed once per window. */
(() => {
  if (window.swmZhUi) return;
  window.swmZhUi = true;

  const TEXTS = new Map(Object.entries({
    // the app's frame: navigation, status widget, dialogs, connection
    "Skip to main content": "跳到正文",
    "App pages": "页面",
    "Main menu": "主菜单",
    "Expand sidebar": "展开侧边栏",
    "Collapse sidebar": "收起侧边栏",
    "Running...": "正在运行…",
    "Stop": "停止",
    "Rerun": "重新运行",
    "Always rerun": "总是重新运行",
    "Deploy": "部署",
    "Page not found": "找不到该页面",
    "The page that you have requested does not seem to exist. Running the app's main page.":
      "没有这个页面，已打开首页。",
    "Close": "关闭",
    "Dismiss": "关闭",
    "Notifications": "通知",
    "Connecting": "正在连接",
    "Please wait...": "请稍候…",
    "Connection error": "连接中断",
    "Connection lost. Please wait for the app to reconnect, then try again.": "连接已断开，请等待重新连接后再试。",
    "Unable to connect to Streamlit server": "无法连接到服务器",
    "Is Streamlit still running? If you accidentally stopped Streamlit, just restart it in your terminal:":
      "无法连接到服务器，请联系管理员重新启动本系统。",
    "Streamlit server is not responding. Are you connected to the internet?": "服务器没有响应，请检查网络连接。",
    "Reconnected to server.": "已重新连接。",
    "Try again": "重试",
    "Retry": "重试",
    "Cancel": "取消",
    "Error": "错误",
    "Warning": "警告",
    "Link to heading": "标题链接",
    "Scroll tabs left": "向左滚动标签",
    "Scroll tabs right": "向右滚动标签",
    "Copy to clipboard": "复制",
    "Copy": "复制",
    "Copied": "已复制",
    // selectbox and multiselect
    "Choose an option": "请选择",
    "Choose options": "请选择",
    "Add an option": "请选择或输入",
    "Add options": "请选择或输入",
    "Choose or add an option": "请选择或输入",
    "Choose or add options": "请选择或输入",
    "No results": "没有匹配的选项",
    "No options to select": "没有可选的选项",
    "No options": "没有选项",
    "Open": "展开",
    "Clear value": "清除",
    "Clear all": "全部清除",
    "Select all": "全选",
    "Selectbox options": "选项",
    "Multiselect options": "选项",
    "Selected values": "已选",
    // tables (st.dataframe, st.data_editor): toolbar, search, column menu
    "Download as CSV": "下载为 CSV",
    "Search": "搜索",
    "Type to search": "输入以搜索",
    "Close Search": "关闭搜索",
    "Next Result": "下一个",
    "Previous Result": "上一个",
    "Fullscreen": "全屏",
    "Close fullscreen": "退出全屏",
    "Show/hide columns": "显示或隐藏列",
    "Add row": "添加行",
    "Delete row(s)": "删除行",
    "Clear selection": "取消选择",
    "Sort ascending": "升序",
    "Sort descending": "降序",
    "Format": "格式",
    "Autosize": "自动列宽",
    "Pin column": "固定列",
    "Unpin column": "取消固定列",
    "Hide column": "隐藏列",
    "Copy column name": "复制列名",
    "Dataframe column menu": "列菜单",
    "Automatic": "自动",
    "Localized": "本地格式",
    "Plain": "普通",
    "Compact": "紧凑",
    "Scientific": "科学计数",
    "Percent": "百分比",
    "Accounting": "会计",
    "Empty": "空",
    "No data": "无数据",
    "True": "是",
    "False": "否",
    // file uploader and camera
    "Upload": "上传",
    "Browse files": "选择文件",
    "Add files": "添加文件",
    "Drag and drop file here": "把文件拖到这里",
    "Drag and drop files here": "把文件拖到这里",
    "Drag and drop a file here": "把文件拖到这里",
    "file upload": "上传文件",
    "Error uploading file": "文件上传失败",
    "Take Photo": "拍照",
    "Clear photo": "清除照片",
    "Switch camera": "切换摄像头",
    "This app would like to use your camera.": "本系统需要使用摄像头。",
    "Learn how to allow access.": "请在浏览器设置中允许访问摄像头。",
    // text fields (style.css also says these in Chinese)
    "Press Enter to apply": "按回车键确认",
    "Press Enter to submit form": "按回车键提交",
    "Press Ctrl+Enter to apply": "按 Ctrl+回车 确认",
    "Press ⌘+Enter to apply": "按 ⌘+回车 确认",
    "Press Ctrl+Enter to submit form": "按 Ctrl+回车 提交",
    "Press ⌘+Enter to submit form": "按 ⌘+回车 提交",
    "Show password": "显示密码",
    "Hide password": "隐藏密码",
    "Clear entry": "清除",
    "Invalid input.": "输入无效。",
  }));

  /* Texts with a number or name in them: [pattern of the whole trimmed text, its Chinese]. */
  const PATTERNS = [
    [/^You have requested page \/(.*), but no corresponding file was found in the app's pages\/ directory\. Running the app's main page\.$/,
      "没有页面 /$1，已打开首页。"],
    [/^(\d+) options? available\.$/, "共 $1 个选项。"],
    [/^(?:Limit )?(\d+(?:\.\d+)?\s?[KMG]?B) per file( • .*)?$/, "每个文件不超过 $1$2"],
    [/^Help for (.+)$/, "$1：说明"],
    [/^(\d+) more$/, "更多（$1）"],  // the top navigation's overflow menu
    [/^([a-z0-9_]+) icon$/, "图标"],
  ];
  const ATTRIBUTES = ["title", "aria-label", "placeholder", "alt"];
  /* Never translated: code, typed input, and Material icon ligatures (their text is the glyph's name). */
  const SKIP = "script, style, noscript, code, pre, textarea, input, [contenteditable], [data-testid='stIconMaterial']";

  function chinese(text) {
    const key = text.trim();
    if (!/[A-Za-z]/.test(key)) return null;
    const hit = TEXTS.get(key) ?? labelled(key);
    if (hit !== undefined) return text.replace(key, () => hit);
    for (const [pattern, zh] of PATTERNS) {
      if (pattern.test(key)) return text.replace(key, () => key.replace(pattern, zh));
    }
    return null;
  }

  /* A toolbar button's label with its element's name after it ("Search: 隐患清单"). */
  function labelled(key) {
    const [, label, name] = /^([^:]+): (.+)$/.exec(key) ?? [];
    return label && TEXTS.has(label) ? `${TEXTS.get(label)}：${name}` : undefined;
  }

  function translateText(node) {
    const parent = node.parentElement;
    if (!parent || parent.closest(SKIP)) return;
    const zh = chinese(node.nodeValue);
    if (zh !== null) node.nodeValue = zh;
  }

  function translateAttributes(element) {
    for (const name of ATTRIBUTES) {
      const value = element.getAttribute(name);
      const zh = value && chinese(value);
      if (zh) element.setAttribute(name, zh);
    }
  }

  function translateTree(root) {
    if (root.nodeType === Node.TEXT_NODE) {
      translateText(root);
      return;
    }
    if (root.nodeType !== Node.ELEMENT_NODE) return;
    translateAttributes(root);
    for (const element of root.querySelectorAll("[title], [aria-label], [placeholder], [alt]")) {
      translateAttributes(element);
    }
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) translateText(walker.currentNode);
  }

  new MutationObserver((mutations) => {
    for (const mutation of mutations) {
      if (mutation.type === "childList") mutation.addedNodes.forEach(translateTree);
      else if (mutation.type === "characterData") translateText(mutation.target);
      else translateAttributes(mutation.target);
    }
  }).observe(document.body, {
    childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ATTRIBUTES,
  });
  translateTree(document.body);
})();
