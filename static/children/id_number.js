// The new-child form: as the 身份证号 is typed, fill the birth date and gender in from it (the server
// derives them too when they are left blank, and checks that they agree). A value typed by hand is
// kept: only an empty field, or one this script filled, is (re)filled.
(function () {
  "use strict";
  var WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var CHECK = "10X98765432";

  function parse(raw) {
    var number = (raw || "").trim().toUpperCase();
    if (!/^\d{17}[\dX]$/.test(number)) return null;
    var sum = 0;
    for (var i = 0; i < 17; i++) sum += Number(number[i]) * WEIGHTS[i];
    if (CHECK[sum % 11] !== number[17]) return null;
    var y = Number(number.slice(6, 10)), m = Number(number.slice(10, 12)), d = Number(number.slice(12, 14));
    var born = new Date(Date.UTC(y, m - 1, d));
    if (born.getUTCFullYear() !== y || born.getUTCMonth() !== m - 1 || born.getUTCDate() !== d) return null;
    return {
      birthDate: number.slice(6, 10) + "-" + number.slice(10, 12) + "-" + number.slice(12, 14),
      gender: Number(number[16]) % 2 ? "male" : "female"
    };
  }

  function init() {
    var input = document.getElementById("id_id_number");
    var birth = document.getElementById("id_birth_date");
    if (!input || !birth) return;
    var filledBirth = null, filledGender = null;

    function checkedGender() {
      var radio = document.querySelector('input[name="gender"]:checked');
      return radio ? radio.value : "";
    }

    function fill() {
      var info = parse(input.value);
      if (!info) return;
      if (!birth.value || birth.value === filledBirth) {
        birth.value = info.birthDate;
        filledBirth = info.birthDate;
      }
      var current = checkedGender();
      if (!current || current === filledGender) {
        var radio = document.querySelector('input[name="gender"][value="' + info.gender + '"]');
        if (radio) {
          radio.checked = true;
          filledGender = info.gender;
        }
      }
    }

    input.addEventListener("input", fill);
    fill();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
