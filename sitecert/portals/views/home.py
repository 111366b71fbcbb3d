"""The front page: what sitecert does, in plain Chinese, and the way to each thing people come for."""

from django.shortcuts import render

from sitecert import clock
from sitecert.policies.selectors import policy_in_force


def home(request):
    return render(request, "home.html", {"policy": policy_in_force(on=clock.today())})
